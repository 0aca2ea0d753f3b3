package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/app"
	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/incident"
	"github.com/detente/detente/internal/messaging"
	"github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/tlp"
)

// hospitalRequest is the subject of Brazil's request for assistance in
// the demo's communications, from which Brazil opens its incident.
const hospitalRequest = "Assistance with a hospital ransomware case"

// seedIncidents records a few incidents between the featured States,
// through the incident service as their duty officers would: one opened
// from a request for assistance under norm 13(h), one from a request to
// mitigate, contested attributions side by side, findings on several
// provisions, statuses from open to closed and labels from CLEAR to RED.
// Every organisation, address and group named is fictitious.
func seedIncidents(ctx context.Context, a *app.App, c *clock.Fixed, duty map[string]actor.Actor, now time.Time) error {
	inc := a.Incidents
	day := 24 * time.Hour
	at := func(ago time.Duration) time.Time { c.Set(now.Add(-ago)); return now.Add(-ago) }
	fail := func(what string, err error) error { return fmt.Errorf("demo incident, %s: %w", what, err) }

	// Brazil: ransomware at a regional hospital network, opened from the
	// TLP:RED request for assistance it sent Japan's duty officer.
	sent, err := a.Messaging.Page(ctx, duty["BR"], messaging.ListFilter{Box: messaging.Sent, Query: "hospital ransomware"}, page.Request{})
	if err != nil {
		return fail("Brazil's request", err)
	}
	var request messaging.Message
	for _, m := range sent.Items {
		if m.Subject == hospitalRequest {
			request = m
		}
	}
	if request.ID == "" {
		return fmt.Errorf("demo incident: Brazil's request %q was not sent", hospitalRequest)
	}
	at(25 * time.Hour)
	hospital, err := inc.OpenFromMessage(ctx, duty["BR"], request.ID, "")
	if err != nil {
		return fail("hospital, opened", err)
	}
	began := request.CreatedAt.Add(-9 * time.Hour)
	at(20 * time.Hour)
	hospital, err = inc.Edit(ctx, duty["BR"], hospital.ID, hospital.Version, incident.Input{
		Title: "Ransomware at a regional hospital network",
		Summary: "The administrative and clinical systems of a regional hospital network (12 hospitals) were encrypted overnight. " +
			"Backups of the patient record system were intact but a third of them had to be restored by hand. " +
			"The command servers used by the operators were hosted abroad; Brazil asked Japan for help under norm 13(h).",
		OccurredAt: began,
		Timeline: []incident.Event{
			{At: began, What: "First encrypted file servers reported by the hospitals' IT service desk.", Source: "Hospital network IT"},
			{At: began.Add(4 * time.Hour), What: "Emergency admissions diverted to neighbouring hospitals.", Source: "State health secretariat"},
			{At: request.CreatedAt, What: "Request for assistance sent to Japan's technical point of contact.", Source: "National CSIRT"},
			{At: request.CreatedAt.Add(25 * time.Hour), What: "Japan acknowledged and began contacting the hosting providers.", Source: "Communication"},
		},
		Sectors: []incident.Sector{"health", "emergency-services"},
		Consequences: incident.Consequences{
			Scope:    "12 hospitals of one regional network; about 4,000 patients' appointments postponed.",
			Duration: "Five days of degraded care; full recovery expected within three weeks",
			Physical: "No patient harm reported; surgery schedules cut by half for three days.",
			Economic: "Recovery costs estimated by the network at several million reais (fictitious figure).",
			Societal: "Emergency admissions diverted for 36 hours; public concern about the confidentiality of records.",
			Severity: incident.SeveritySevere,
		},
		Context: incident.Context{Tensions: "A run of ransomware against hospitals in the region since the start of the year; no State-to-State tension is linked to it."},
		TLP:     tlp.Red, Recipients: hospital.Recipients, Named: hospital.Named,
	})
	if err != nil {
		return fail("hospital, completed", err)
	}
	if _, err := inc.AddAttribution(ctx, duty["BR"], hospital.ID, incident.AttributionInput{
		Category: incident.ActorNonState, Likelihood: incident.VeryLikely, Confidence: incident.ConfidenceModerate,
		Basis: []incident.Basis{incident.BasisTechnical, incident.BasisSelfAttribution},
		Evidence: []incident.Evidence{
			{Description: "Ransom note and leak-site post in the name of a criminal ransomware brand (\"GlassLock\", fictitious).", Source: "Leak site", Reliability: "C", Credibility: 2},
			{Description: "Encryptor matches a sample of the same brand analysed by the national CSIRT last year.", Source: "National CSIRT", Reliability: "A", Credibility: 2},
		},
		Substantiated: true,
		Rationale:     "A financially motivated criminal group; nothing points to direction or control by a State.",
	}); err != nil {
		return fail("hospital, attribution", err)
	}
	for _, f := range []incident.FindingInput{
		{Provision: "norm-h", Engaged: true, Outcome: incident.Consistent,
			Rationale: "Japan acknowledged the request within a day and asked the hosting providers to take the command servers down."},
		{Provision: "norm-f", Engaged: true, Outcome: incident.InsufficientInformation,
			Rationale: "Critical infrastructure was damaged, but no State conduct or support has been identified so far."},
		{Provision: "cbm-1", Engaged: true, Outcome: incident.Consistent,
			Rationale: "The request went through the technical points of contact of the directory and was answered."},
	} {
		if _, err := inc.SetFinding(ctx, duty["BR"], hospital.ID, f); err != nil {
			return fail("hospital, finding "+f.Provision, err)
		}
	}
	if _, err := inc.SetStatus(ctx, duty["BR"], hospital.ID, hospital.Version, incident.Assessed); err != nil {
		return fail("hospital, assessed", err)
	}

	// Kenya: a denial-of-service attack from compromised devices in
	// Brazilian networks. Kenya asks Brazil to mitigate, opens an incident
	// from its request, and records that the activity came from Brazil's
	// territory only — which law view 28(f) says may not be enough to
	// attribute it to Brazil.
	start := at(9 * day)
	mitigation, err := a.Messaging.Send(ctx, duty["KE"], messaging.Draft{Type: messaging.MitigationRequest, Recipients: []string{"BR"},
		Level: messaging.Technical, Urgency: messaging.Urgent, TLP: tlp.Green,
		Subject: "Request to mitigate a DDoS from devices in your networks",
		Body: "The revenue authority's online filing portal is under a volumetric attack on the last day for tax returns. " +
			"Most of the traffic comes from home routers in address ranges announced in Brazil.",
		Fields: map[string]string{"sector": "government", "activity": "UDP reflection and HTTP floods, peaking at 180 Gbit/s.",
			"indicators": "198.51.100.0/24\n203.0.113.0/24\nUser-Agent: \"Mozilla/4.0 (demo)\"", "observed_since": start.Add(-3 * time.Hour).Format("2006-01-02 15:04")},
		Provisions: []string{"norm-h", "norm-c"}, AckRequested: true})
	if err != nil {
		return fail("DDoS, request", err)
	}
	if err := drain(ctx, a); err != nil {
		return err
	}
	at(9*day - time.Hour)
	ddos, err := inc.OpenFromMessage(ctx, duty["KE"], mitigation.ID, "")
	if err != nil {
		return fail("DDoS, opened", err)
	}
	at(9*day - 2*time.Hour)
	ddos, err = inc.Edit(ctx, duty["KE"], ddos.ID, ddos.Version, incident.Input{
		Title: "DDoS on the revenue authority's filing portal",
		Summary: "A volumetric and application-layer denial-of-service attack on the online tax-filing portal on its busiest day. " +
			"Most of the traffic came from compromised home routers in networks in Brazil, which helped filter it at the source.",
		OccurredAt: start.Add(-3 * time.Hour),
		Timeline: []incident.Event{
			{At: start.Add(-3 * time.Hour), What: "Portal response times above 30 seconds; traffic at 40 times its usual level.", Source: "Revenue authority SOC"},
			{At: start, What: "Request to mitigate sent to Brazil's technical point of contact.", Source: "Communication"},
			{At: start.Add(5 * time.Hour), What: "Brazilian network operators filter the reflected traffic and notify the owners of the routers.", Source: "Brazil's national CSIRT"},
			{At: start.Add(7 * time.Hour), What: "Portal back to normal; filing deadline extended by two days.", Source: "Revenue authority"},
		},
		Sectors: []incident.Sector{"government", "finance"},
		Consequences: incident.Consequences{
			Scope: "One national portal; about 300,000 taxpayers could not file for most of a day.", Duration: "About 10 hours",
			Economic: "Filing deadline extended; no loss of data.", Societal: "Public frustration on the last filing day.", Severity: incident.SeverityMedium},
		Context: incident.Context{Tensions: "A hacktivist channel had announced attacks on tax portals in several countries that week."},
		TLP:     tlp.Green, Recipients: ddos.Recipients,
	})
	if err != nil {
		return fail("DDoS, completed", err)
	}
	if _, err := inc.AddAttribution(ctx, duty["KE"], ddos.ID, incident.AttributionInput{
		Category: incident.ActorUnknown, AttributedState: "BR", Likelihood: incident.Unlikely, Confidence: incident.ConfidenceLow,
		Basis: []incident.Basis{incident.BasisTechnical},
		Evidence: []incident.Evidence{
			{Description: "72% of the attacking addresses are in ranges announced by Brazilian access providers.", Source: "Portal's DDoS mitigation provider", Reliability: "B", Credibility: 1},
			{Description: "The devices are consumer routers with a known default-password flaw, used by many botnets.", Source: "National CSIRT", Reliability: "A", Credibility: 2},
		},
		OriginTerritoryOnly: true,
		Rationale:           "The attack came from infrastructure in Brazil's territory, which alone says nothing of who directed it; Brazil is not held responsible.",
	}); err != nil {
		return fail("DDoS, Kenya's attribution", err)
	}
	at(8 * day)
	if _, err := inc.AddAttribution(ctx, duty["BR"], ddos.ID, incident.AttributionInput{
		Category: incident.ActorNonState, AttributedState: "BR", Spectrum: "state-prohibited", Likelihood: incident.Likely, Confidence: incident.ConfidenceModerate,
		Basis: []incident.Basis{incident.BasisTechnical, incident.BasisSelfAttribution},
		Evidence: []incident.Evidence{
			{Description: "The same botnet's command server was seized by Brazilian police two days later (fictitious case).", Source: "Federal police", Reliability: "A", Credibility: 2},
			{Description: "A hacktivist channel claimed the attack.", Source: "Messaging channel", Reliability: "E", Credibility: 4},
		},
		Rationale: "A botnet of compromised routers run by a hacktivist group; Brazil acted to stop the traffic as soon as it was asked.",
	}); err != nil {
		return fail("DDoS, Brazil's attribution", err)
	}
	for _, f := range []incident.FindingInput{
		{Provision: "norm-h", Engaged: true, Outcome: incident.Consistent, Rationale: "Brazil acknowledged within an hour and its operators filtered the traffic the same day."},
		{Provision: "norm-c", Engaged: true, Outcome: incident.Consistent, Rationale: "Once notified, Brazil took reasonable steps to stop its territory being used."},
		{Provision: "law-28f", Engaged: true, Outcome: incident.Consistent, Rationale: "Kenya did not attribute the attack to Brazil on the origin of the traffic alone."},
	} {
		if _, err := inc.SetFinding(ctx, duty["KE"], ddos.ID, f); err != nil {
			return fail("DDoS, finding "+f.Provision, err)
		}
	}
	ddos, err = inc.Incident(ctx, duty["KE"], ddos.ID)
	if err != nil {
		return err
	}
	if _, err := inc.SetStatus(ctx, duty["KE"], ddos.ID, ddos.Version, incident.Closed); err != nil {
		return fail("DDoS, closed", err)
	}

	// France: an intrusion into the electoral commission, shared with
	// Kenya and Japan at TLP:AMBER, with two assessments that disagree:
	// France's, and a named research organisation's, recorded by Japan.
	began = at(4 * day).Add(-6 * day)
	election, err := inc.Create(ctx, duty["FR"], incident.Input{
		Title: "Intrusion into the electoral commission's network",
		Summary: "An intruder used a compromised supplier account to reach the electoral commission's internal network two months before " +
			"regional elections, and copied staff directories and draft logistics plans. The vote-counting systems are separate and were not reached.",
		OccurredAt: began,
		Timeline: []incident.Event{
			{At: began, What: "First logon with the supplier's account from an unusual address.", Source: "Commission's VPN logs"},
			{At: began.Add(4 * day), What: "Large archive transfer to a cloud storage service detected.", Source: "National CSIRT sensor"},
			{At: began.Add(5 * day), What: "Supplier account disabled; forensic investigation opened.", Source: "Electoral commission"},
			{At: began.Add(6 * day), What: "Notice shared with Kenya and Japan, whose authorities use the same supplier.", Source: "National CSIRT"},
		},
		Sectors: []incident.Sector{"elections", "government"},
		Consequences: incident.Consequences{
			Scope: "Internal office network of the commission; about 900 staff records and 40 planning documents copied.", Duration: "Intrusion over five days",
			Societal: "Risk of leaks or forged documents timed to the election campaign.", Severity: incident.SeverityHigh},
		Context: incident.Context{Tensions: "An election campaign under way; the supplier also serves electoral bodies in other States."},
		TLP:     tlp.Amber, Recipients: []string{"JP", "KE"},
	})
	if err != nil {
		return fail("election, recorded", err)
	}
	if _, err := inc.AddAttribution(ctx, duty["FR"], election.ID, incident.AttributionInput{
		Category: incident.ActorStateAffiliated, Spectrum: "state-shaped", Likelihood: incident.Likely, Confidence: incident.ConfidenceModerate,
		Basis: []incident.Basis{incident.BasisTechnical, incident.BasisPolitical},
		Evidence: []incident.Evidence{
			{Description: "Tools and working hours match an intrusion set tracked by the national CSIRT since 2023.", Source: "National CSIRT", Reliability: "B", Credibility: 2},
			{Description: "Only planning documents were taken, no financial data: an intelligence interest rather than a criminal one.", Source: "Forensic report", Reliability: "B", Credibility: 3},
			{Description: "A partner service reports the same intrusion set against two other electoral bodies.", Source: "Partner service", Reliability: "C", Credibility: 3},
		},
		Rationale: "A group supported by a State, most likely; France does not name the State while the investigation continues.",
	}); err != nil {
		return fail("election, France's attribution", err)
	}
	at(2 * day)
	if _, err := inc.AddAttribution(ctx, duty["JP"], election.ID, incident.AttributionInput{
		ByOrganisation: "Northbridge Threat Research (fictitious)",
		Category:       incident.ActorNonState, Likelihood: incident.RoughlyEvenChance, Confidence: incident.ConfidenceLow,
		Basis: []incident.Basis{incident.BasisSelfAttribution, incident.BasisTechnical},
		Evidence: []incident.Evidence{
			{Description: "A hacktivist persona claimed the intrusion and posted two of the documents.", Source: "Public channel", Reliability: "D", Credibility: 3},
			{Description: "The claimed documents carry the commission's metadata.", Source: "Northbridge analysis", Reliability: "C", Credibility: 2},
		},
		Rationale: "The claim is consistent with the leak, but personas like this one have fronted for State-supported groups before; the organisation keeps both readings open.",
	}); err != nil {
		return fail("election, the organisation's attribution", err)
	}
	for _, f := range []incident.FindingInput{
		{Provision: "norm-b", Engaged: true, Outcome: incident.Consistent,
			Rationale: "France weighed the technical findings, the claim and the context before any public statement and has not named a State."},
		{Provision: "norm-f", Engaged: true, Outcome: incident.PossibleInconsistency,
			Rationale: "Electoral infrastructure was intruded into; if State support is confirmed the conduct would sit badly with the norm."},
		{Provision: "norm-i", Engaged: true, Outcome: incident.InsufficientInformation,
			Rationale: "The way in was a supplier's account; whether the supplier's own systems were compromised is still being examined."},
		{Provision: "norm-e", Engaged: false, Rationale: "No personal data beyond staff directories; assessed as not engaged for now."},
	} {
		if _, err := inc.SetFinding(ctx, duty["FR"], election.ID, f); err != nil {
			return fail("election, finding "+f.Provision, err)
		}
	}

	// Japan: a defacement campaign, public from the start and closed.
	began = at(30 * day).Add(-2 * day)
	deface, err := inc.Create(ctx, duty["JP"], incident.Input{
		Title:      "Defacement of municipal websites",
		Summary:    "Forty municipal websites running an outdated content management plug-in were defaced with a protest message. No data was taken.",
		OccurredAt: began,
		Timeline: []incident.Event{
			{At: began, What: "First defaced site reported by a resident.", Source: "Municipality"},
			{At: began.Add(6 * time.Hour), What: "Advisory on the plug-in published; sites restored from backups.", Source: "National CSIRT"},
		},
		Sectors:      []incident.Sector{"government"},
		Consequences: incident.Consequences{Scope: "40 municipal websites.", Duration: "Up to one day", Severity: incident.SeverityLow},
		TLP:          tlp.Clear,
	})
	if err != nil {
		return fail("defacement, recorded", err)
	}
	if _, err := inc.SetFinding(ctx, duty["JP"], deface.ID, incident.FindingInput{Provision: "norm-j", Engaged: true, Outcome: incident.Consistent,
		Rationale: "The plug-in's flaw had been reported and fixed by its maintainers; the advisory reached municipalities the same day."}); err != nil {
		return fail("defacement, finding", err)
	}
	at(27 * day)
	if _, err := inc.SetStatus(ctx, duty["JP"], deface.ID, deface.Version, incident.Closed); err != nil {
		return fail("defacement, closed", err)
	}
	c.Set(now)
	return nil
}
