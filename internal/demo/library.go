package demo

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/app"
	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/library"
	"github.com/detente/detente/internal/messaging"
)

// demoPDFWord occurs only in the text of the demo's PDF, so searching the
// library for it shows that the words of uploaded files are searched.
const demoPDFWord = "Kestrelwatch"

// demoDocument is one document of the demo's policy library; file, when
// set, is uploaded instead of the link.
type demoDocument struct {
	state      string // "" for the secretariat
	in         library.Input
	file, name string
	ago        int // days before the demo's today it was shared
}

// seedLibrary shares a dozen documents the featured States and the
// secretariat would: strategies, laws, positions on international law,
// OEWG submissions and good-practice papers (CBMs 3, 7 and 8), most as
// links to their (fictitious) publishers, one as an HTML page and one as
// a PDF whose text is searchable. France's earlier strategy is superseded
// by its current one; Kenya keeps a draft bill to itself.
func seedLibrary(ctx context.Context, a *app.App, c *clock.Fixed, sec actor.Actor, now time.Time) error {
	fail := func(what string, err error) error { return fmt.Errorf("demo library, %s: %w", what, err) }
	day := 24 * time.Hour
	on := func(y int, m time.Month, d int) *time.Time { t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC); return &t }
	link := func(host, path string) string { return "https://" + host + ".demo.invalid/" + path }
	docs := []demoDocument{
		{state: "FR", ago: 300, in: library.Input{Type: library.Strategy, Title: "National strategy for the security of digital systems (2019)",
			Summary:  "The earlier national strategy: governance, protection of operators of vital importance, and international cooperation.",
			Language: "fr", Date: on(2019, 2, 14), Status: library.Adopted, Provisions: []string{"norm-g", "cbm-3"}, Topics: []string{"strategy", "critical infrastructure"},
			Visibility: library.Public, Link: link("sgdsn.fr", "strategie-2019")}},
		{state: "FR", ago: 120, in: library.Input{Type: library.Strategy, Title: "National cyber strategy (2025)",
			Summary:  "Resilience of the State and of operators of vital importance, a national response to incidents, and France's part in the framework of responsible State behaviour.",
			Language: "fr", Date: on(2025, 3, 4), Status: library.Adopted, Provisions: []string{"norm-g", "norm-h", "cbm-3"}, Topics: []string{"strategy", "incident response"},
			Visibility: library.Public, Link: link("sgdsn.fr", "strategie-2025")}},
		{state: "FR", ago: 110, in: library.Input{Type: library.LawPosition, Title: "International law applied to operations in cyberspace",
			Summary:  "France's position on how sovereignty, non-intervention, due diligence and international humanitarian law apply to ICTs.",
			Language: "fr", Date: on(2019, 9, 9), Status: library.Adopted, Provisions: []string{"law-26", "law-28b", "law-28d"}, Topics: []string{"international law"},
			Visibility: library.Public, Link: link("diplomatie.fr", "droit-international-cyber")}},
		{state: "KE", ago: 200, in: library.Input{Type: library.Law, Title: "Computer Misuse and Cybercrimes Act",
			Summary:  "Offences against computer systems, procedural powers, and international cooperation in investigations.",
			Language: "en", Date: on(2018, 5, 16), Status: library.Adopted, Provisions: []string{"norm-d"}, Topics: []string{"cybercrime"},
			Visibility: library.Public, Link: link("kenyalaw.ke", "cmca-2018")}},
		{state: "KE", ago: 90, name: "cirt-procedures.html", file: demoHTML, in: library.Input{Type: library.GoodPractice,
			Title: "Handling requests for assistance at the national CIRT", Language: "en", Date: on(2026, 1, 20), Status: library.InProgress,
			Provisions: []string{"norm-h", "cbm-1"}, Topics: []string{"incident response", "points of contact"}, Visibility: library.Participants}},
		{state: "KE", ago: 30, in: library.Input{Type: library.Regulation, Title: "Draft critical information infrastructure regulations",
			Summary:  "Designation of operators, audits and incident reporting duties; a draft under consultation, kept within government.",
			Language: "en", Status: library.InProgress, Provisions: []string{"norm-g"}, Topics: []string{"critical infrastructure"},
			Visibility: library.Private, Link: link("ict.go.ke", "draft-cii-regulations")}},
		{state: "BR", ago: 250, in: library.Input{Type: library.Strategy, Title: "National cybersecurity policy",
			Summary:  "Principles and objectives of the national cybersecurity policy and the committee that coordinates it.",
			Language: "pt", Date: on(2023, 12, 26), Status: library.Adopted, Provisions: []string{"norm-f", "cbm-3"}, Topics: []string{"strategy"},
			Visibility: library.Public, Link: link("gsi.gov.br", "pnciber")}},
		{state: "BR", ago: 60, in: library.Input{Type: library.OEWGSubmission, Title: "Contribution on capacity-building needs",
			Summary:  "Brazil's contribution to the open-ended working group on the needs of States in vulnerability handling.",
			Language: "en", Date: on(2025, 7, 1), Status: library.Adopted, Provisions: []string{"norm-j", "cbm-5"}, Topics: []string{"capacity building"},
			Visibility: library.Participants, Link: link("itamaraty.gov.br", "oewg-capacity")}},
		{state: "JP", ago: 180, name: "ics-disclosure.pdf", file: demoPDF(), in: library.Input{Type: library.GoodPractice,
			Title:    "Coordinated disclosure of vulnerabilities in industrial control products",
			Summary:  "How the national CSIRT, vendors and researchers coordinate a report from receipt to advisory.",
			Language: "en", Date: on(2024, 10, 1), Status: library.Adopted, Provisions: []string{"norm-j", "cbm-7"}, Topics: []string{"vulnerabilities", "industrial control"},
			Visibility: library.Public}},
		{state: "JP", ago: 150, in: library.Input{Type: library.LawPosition, Title: "Basic position on the application of international law to cyber operations",
			Language: "en", Date: on(2021, 5, 28), Status: library.Adopted, Provisions: []string{"law-26", "law-28a"}, Topics: []string{"international law"},
			Visibility: library.Public, Link: link("mofa.go.jp", "position-international-law")}},
		{state: "JP", ago: 20, in: library.Input{Type: library.GoodPractice, Title: "Public-private information sharing for critical infrastructure",
			Summary:  "Sector councils, the information they exchange and how the government takes part (CBM 8).",
			Language: "ja", Date: on(2025, 11, 10), Status: library.Adopted, Provisions: []string{"cbm-8"}, Topics: []string{"public-private partnership"},
			Visibility: library.Participants, Link: link("nisc.go.jp", "sector-councils")}},
		{ago: 40, in: library.Input{Type: library.ConceptPaper, Title: "Concept note: regular meetings of points of contact",
			Summary:  "Purpose, format and frequency of the meetings of the Global POC Directory's points of contact.",
			Language: "en", Date: on(2026, 4, 2), Status: library.Adopted, Provisions: []string{"cbm-1"}, Topics: []string{"points of contact"},
			Visibility: library.Public, Link: link("un.org", "poc-meetings-concept")}},
	}
	var earlierFR string
	for _, d := range docs {
		who := sec
		if d.state != "" {
			acc, err := a.Access.AccountByEmail(ctx, sec, "focal.point@"+strings.ToLower(d.state)+".demo.invalid")
			if err != nil {
				return fail(d.state+"'s focal point", err)
			}
			who = acc.Actor()
		}
		if d.file != "" {
			mediaType := "text/html"
			if strings.HasSuffix(d.name, ".pdf") {
				mediaType = "application/pdf"
			}
			d.in.File = &messaging.Upload{Name: d.name, MediaType: mediaType, Content: strings.NewReader(d.file)}
		}
		c.Set(now.Add(-time.Duration(d.ago) * day))
		doc, err := a.Library.Add(ctx, who, d.in)
		if err != nil {
			return fail(d.in.Title, err)
		}
		switch {
		case strings.HasSuffix(d.in.Title, "(2019)"):
			earlierFR = doc.ID
		case strings.HasSuffix(d.in.Title, "(2025)"):
			// The new strategy supersedes the earlier one.
			old, err := a.Library.Document(ctx, who, earlierFR)
			if err != nil {
				return fail("France's earlier strategy", err)
			}
			in := inputOf(old)
			in.Status, in.SupersededBy = library.Superseded, doc.ID
			if _, err := a.Library.Edit(ctx, who, old.ID, old.Version, in); err != nil {
				return fail("superseding France's earlier strategy", err)
			}
		}
	}
	return nil
}

// inputOf is what the form would hold for d, keeping its link.
func inputOf(d library.Document) library.Input {
	return library.Input{Type: d.Type, Title: d.Title, Summary: d.Summary, Language: d.Language, Date: d.Date, Status: d.Status,
		SupersededBy: d.SupersededBy, Provisions: d.Provisions, Topics: d.Topics, Visibility: d.Visibility, Link: d.Link}
}

const demoHTML = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Handling requests for assistance</title></head><body>
<h1>Handling requests for assistance at the national CIRT</h1>
<p>A request for assistance from another State's point of contact is acknowledged within two hours, around the clock, by the duty officer.</p>
<p>The duty officer checks the request against the template's fields, asks for what is missing, and tells the policy level of every request that concerns critical infrastructure.</p>
</body></html>`

// demoPDF is a one-page PDF whose text says how a coordinated disclosure
// runs, with demoPDFWord in it; written by hand so the demo needs no tool.
func demoPDF() string {
	text := []string{
		"Coordinated disclosure of vulnerabilities in industrial control products",
		"The national CSIRT receives the report, confirms it with the " + demoPDFWord + " test bench,",
		"and agrees a publication date with the vendor, usually within ninety days.",
	}
	var stream strings.Builder
	stream.WriteString("BT /F1 11 Tf 72 720 Td 14 TL\n")
	for _, line := range text {
		stream.WriteString("(" + line + ") Tj T*\n")
	}
	stream.WriteString("ET")
	objects := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", stream.Len(), stream.String()),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objects))
	for i, o := range objects {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, xref)
	return b.String()
}
