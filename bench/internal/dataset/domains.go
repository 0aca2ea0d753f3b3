package dataset

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/capacity"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/exercise"
	"github.com/detente/detente/internal/library"
	"github.com/detente/detente/internal/messaging"
	"github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/scenario"
	"github.com/detente/detente/internal/states"
	"github.com/detente/detente/internal/survey"
)

// The transparency, capacity-building and exercise domains, written as
// their people would through the same services: survey reports, library
// documents (whose words the services index for full-text search on
// either engine), capacity-building needs, offers and partnerships, and
// finished exercise runs.

// LibraryWord occurs in the text of about a third of the generated library
// documents, and in none of the demo's, so a search for it has many rows
// to find and rank, all of them generated.
const LibraryWord = "interoperability"

const day = 24 * time.Hour

// adminOf is the administrator of a State as the build speaks for it:
// the services ask for a participating State's administrator, not for an
// account row.
func adminOf(code string) actor.Actor {
	return actor.Actor{AccountID: "demo-" + code, Email: "demo data for " + code, Role: actor.StateAdmin, State: code}
}

// shuffled returns the participating States in an order fixed by step.
func (g *gen) shuffled(step int) []directory.State {
	out := slices.Clone(g.states)
	r := rng(step, 0)
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// owner picks whose item i is: a featured State for about one in five, so
// the profiles the benchmarks read grow with the scale, else any
// participating State.
func (g *gen) owner(r *rand.Rand) string {
	if r.IntN(100) < 20 {
		return featured[r.IntN(len(featured))]
	}
	return g.states[r.IntN(len(g.states))].Code
}

// region is the UN regional group of a participating State.
func (g *gen) region(code string) string {
	for _, st := range g.states {
		if st.Code == code {
			return st.Region
		}
	}
	return states.WesternEurope
}

var (
	measures = []string{
		"The national %s coordinates %s with the operators of %s and reports to the inter-ministerial committee each quarter.",
		"A decree of %[4]d gives the %[1]s the mandate for %[2]s; guidance for %[3]s was published and is reviewed every two years.",
		"Exercises on %[2]s are held yearly with %[3]s; the %[1]s keeps the contact lists and the procedures current.",
	}
	gapsText = []string{
		"Trained staff for %[2]s outside the capital, and tools to share indicators with %[3]s.",
		"Legal advice on %[2]s and a budget line for the %[1]s beyond the current programme.",
	}
	agencies = []string{"cyber security agency", "CSIRT", "ministry of foreign affairs", "ministry of the interior", "regulator of telecommunications"}
	works    = []string{"incident response", "vulnerability disclosure", "protection of critical infrastructure", "information sharing", "international cooperation",
		"supply chain security", "awareness of the public", "cybercrime investigation", "continuity planning"}
)

func sentence(r *rand.Rand, forms []string) string {
	return fmt.Sprintf(forms[r.IntN(len(forms))], agencies[r.IntN(len(agencies))], works[r.IntN(len(works))], sites[r.IntN(len(sites))], 2015+r.IntN(11))
}

// answers writes answers to n subjects of part, picked at random.
func (g *gen) answers(r *rand.Rand, part survey.Part, n int) []survey.Answer {
	entries := g.a.Survey.Entries(part)
	var out []survey.Answer
	for _, k := range r.Perm(len(entries))[:min(n, len(entries))] {
		choices := survey.Choices()
		x := survey.Answer{Subject: entries[k].Subject, Taken: choices[r.IntN(len(choices))], Policy: choices[r.IntN(len(choices))]}
		if r.IntN(100) < 40 {
			x.Support = choices[r.IntN(3)]
		}
		for _, c := range survey.Actors() {
			if r.IntN(100) < 40 || c == survey.Government {
				x.Actors = append(x.Actors, c)
			}
		}
		if x.Taken == survey.Yes || x.Taken == survey.Partly {
			x.Measures = sentence(r, measures) + " " + sentence(r, measures)
		}
		if r.IntN(100) < 35 {
			x.Gaps = sentence(r, gapsText)
		}
		if r.IntN(100) < 20 {
			x.Challenges = "Staff turnover at the " + agencies[r.IntN(len(agencies))] + " and competing priorities."
		}
		out = append(out, x)
	}
	return out
}

// surveyReports has the participating States answer the demo's two
// cycles: first the earlier one (started, drafted over several parts by
// more than one edit, most submitted and published at every visibility),
// then the current one, which carries each State's earlier answers over.
// A State answers once per cycle, so the reports stop growing once every
// participating State has answered both.
func (g *gen) surveyReports(ctx context.Context) error {
	p, err := g.a.Survey.Cycles(ctx, actor.Operator, page.Request{Limit: page.MaxLimit})
	if err != nil {
		return err
	}
	if len(p.Items) < 2 {
		return fmt.Errorf("the demo opened %d survey cycles, want 2", len(p.Items))
	}
	cycles := slices.Clone(p.Items)
	slices.SortFunc(cycles, func(x, y survey.Cycle) int { return x.Opens.Compare(y.Opens) })
	earlier, current := cycles[len(cycles)-2], cycles[len(cycles)-1]
	taken := map[string]bool{}
	rows, err := g.a.DB.R.QueryContext(ctx, `SELECT cycle_id, state_code FROM survey_reports`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var c, s string
		if err := rows.Scan(&c, &s); err != nil {
			rows.Close()
			return err
		}
		taken[c+"/"+s] = true
	}
	if err := rows.Close(); err != nil {
		return err
	}
	order := g.shuffled(20)
	free := func(c survey.Cycle) []string {
		var out []string
		for _, st := range order {
			if !taken[c.ID+"/"+st.Code] {
				out = append(out, st.Code)
			}
		}
		return out
	}
	inEarlier, inCurrent := free(earlier), free(current)
	want := min(g.target.Reports, len(inEarlier)+len(inCurrent))
	nEarlier := min(len(inEarlier), (want*11+19)/20)
	nCurrent := min(len(inCurrent), want-nEarlier)
	nEarlier = min(len(inEarlier), want-nCurrent)
	for _, c := range []struct {
		cycle    survey.Cycle
		codes    []string
		from, to time.Time
		step     int
	}{
		{earlier, inEarlier[:nEarlier], earlier.Opens.Add(2 * day), earlier.Deadline.Add(-5 * day), 21},
		{current, inCurrent[:nCurrent], current.Opens.Add(2 * day), Now.Add(-2 * day), 22},
	} {
		err := g.spread(ctx, len(c.codes), c.from, c.to, func(i int) error { return g.report(ctx, rng(c.step, i), c.cycle, c.codes[i]) })
		if err != nil {
			return err
		}
		g.meta.Counts.Reports += len(c.codes)
	}
	return nil
}

// report writes one State's report in cycle c.
func (g *gen) report(ctx context.Context, r *rand.Rand, c survey.Cycle, code string) error {
	who := adminOf(code)
	var rep survey.Report
	if err := g.call("Survey.Start", func() (err error) { rep, err = g.a.Survey.Start(ctx, who, c.ID); return err }); err != nil {
		return err
	}
	save := func(part survey.Part, n int) error {
		return g.call("Survey.Save", func() (err error) {
			rep, err = g.a.Survey.Save(ctx, who, rep.ID, rep.Version, part, g.answers(r, part, n))
			return err
		})
	}
	if err := save(survey.PartNorms, 3+r.IntN(6)); err != nil {
		return err
	}
	for _, x := range []struct {
		part survey.Part
		pct  int
		n    int
	}{{survey.PartCBMs, 70, 2 + r.IntN(4)}, {survey.PartLaw, 40, 1 + r.IntN(2)}, {survey.PartCooperation, 35, 1 + r.IntN(3)}, {survey.PartNorms, 25, 4 + r.IntN(5)}} {
		if r.IntN(100) < x.pct {
			if err := save(x.part, x.n); err != nil {
				return err
			}
		}
	}
	if r.IntN(100) >= 85 { // left as a draft
		return nil
	}
	if err := g.call("Survey.Submit", func() (err error) { rep, err = g.a.Survey.Submit(ctx, who, rep.ID, rep.Version); return err }); err != nil {
		return err
	}
	if r.IntN(100) >= 90 { // submitted, not yet published
		return nil
	}
	v := survey.Public
	switch n := r.IntN(100); {
	case n < 40:
		v = survey.Participants
	case n < 55:
		v = survey.Private
	}
	return g.call("Survey.Publish", func() error { _, err := g.a.Survey.Publish(ctx, who, rep.ID, rep.Version, v); return err })
}

var (
	docTypes = []struct {
		t     library.Type
		title string
	}{
		{library.Strategy, "National cyber security strategy"},
		{library.Law, "Act on the security of network and information systems"},
		{library.Regulation, "Regulation on incident reporting by operators of %s"},
		{library.ConceptPaper, "Concept paper on %s"},
		{library.LawPosition, "Position on the application of international law to cyberspace"},
		{library.OEWGSubmission, "Submission to the open-ended working group on %s"},
		{library.GoodPractice, "Good practice in %s"},
		{library.OtherType, "Annual report of the national CSIRT"},
	}
	docTopics    = []string{"strategy", "incident response", "critical infrastructure", "international law", "cybercrime", "capacity building", "vulnerabilities", "points of contact", "public-private partnership", "awareness"}
	docLanguages = []string{"en", "en", "en", "fr", "es", "ar", "ru", "zh", "pt"}
	docProvs     = []string{"norm-a", "norm-b", "norm-c", "norm-d", "norm-e", "norm-f", "norm-g", "norm-h", "norm-i", "norm-j", "norm-k", "cbm-1", "cbm-3", "cbm-5", "cbm-7", "cbm-8", "law-26", "law-28a"}
	paragraphs   = []string{
		"This document sets out how the %[1]s organises %[2]s with %[3]s, which obligations apply, and how progress is measured.",
		"Since %[4]d the %[1]s has published guidance on %[2]s; operators of %[3]s report significant incidents within 24 hours.",
		"Cooperation with other States rests on the points of contact of the Global POC Directory and on regular exercises on %[2]s.",
		"The government will review the framework for %[2]s, consult %[3]s, and report to parliament on the measures taken.",
		"Annex: definitions, the authorities competent for %[2]s, and the template operators of %[3]s use to notify the %[1]s.",
	}
)

// docText is the body of a generated document: a few paragraphs, with
// LibraryWord in about a third of them.
func docText(r *rand.Rand) string {
	var b strings.Builder
	for range 6 + r.IntN(10) {
		b.WriteString(sentence(r, paragraphs))
		b.WriteByte(' ')
	}
	if r.IntN(3) == 0 {
		b.WriteString("The first objective is the " + LibraryWord + " of national incident reporting with that of neighbouring States.")
	}
	return b.String()
}

// doc is what later steps need of a generated document.
type doc struct {
	id, owner string
	t         library.Type
	in        library.Input
}

// libraryDocuments shares the scale's documents, most of participating
// States, some of the featured ones and the secretariat's: links with a
// summary, or HTML files whose extracted words the library indexes as
// the product does on upload. Then some States' older strategies are
// marked superseded by their newer ones.
func (g *gen) libraryDocuments(ctx context.Context) error {
	n := g.target.Documents
	docs := make([]doc, n)
	err := g.spread(ctx, n, Now.AddDate(-3, 0, 0), Now.Add(-day), func(i int) error {
		r := rng(30, i)
		code := g.owner(r)
		who := adminOf(code)
		if r.IntN(100) < 4 {
			code, who = "", actor.Operator
		}
		dt := docTypes[r.IntN(len(docTypes))]
		title := dt.title
		if strings.Contains(title, "%s") {
			title = fmt.Sprintf(title, works[r.IntN(len(works))])
		}
		issued := time.Date(2012+r.IntN(14), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
		in := library.Input{Type: dt.t, Title: fmt.Sprintf("%s (%d)", title, issued.Year()), Language: docLanguages[r.IntN(len(docLanguages))],
			Date: &issued, Status: library.Adopted, Visibility: library.Public}
		if r.IntN(100) < 20 {
			in.Status, in.Date = library.InProgress, nil
		}
		switch v := r.IntN(100); {
		case v < 35:
			in.Visibility = library.Participants
		case v < 45:
			in.Visibility = library.Private
		}
		for _, k := range r.Perm(len(docProvs))[:1+r.IntN(3)] {
			in.Provisions = append(in.Provisions, docProvs[k])
		}
		for _, k := range r.Perm(len(docTopics))[:1+r.IntN(3)] {
			in.Topics = append(in.Topics, docTopics[k])
		}
		body := docText(r)
		if r.IntN(100) < 40 {
			html := "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + in.Title + "</title></head><body><h1>" + in.Title +
				"</h1><p>" + body + "</p></body></html>"
			in.File = &messaging.Upload{Name: fmt.Sprintf("document-%05d.html", i), MediaType: "text/html", Content: strings.NewReader(html)}
		} else {
			in.Summary = body
			host := "gov.demo.invalid"
			if code != "" {
				host = strings.ToLower(code) + ".demo.invalid"
			}
			in.Link = fmt.Sprintf("https://%s/library/%05d", host, i)
		}
		return g.call("Library.Add", func() error {
			d, err := g.a.Library.Add(ctx, who, in)
			in.File = nil
			docs[i] = doc{id: d.ID, owner: code, t: dt.t, in: in}
			return err
		})
	})
	if err != nil {
		return err
	}
	g.meta.Counts.Documents = n
	// Half the strategies a State replaced by a newer one are marked so.
	newest := map[string]int{}
	var older [][2]int
	for i := n - 1; i >= 0; i-- {
		d := docs[i]
		if d.t != library.Strategy || d.owner == "" || d.in.Status != library.Adopted {
			continue
		}
		if j, ok := newest[d.owner]; ok && rng(31, i).IntN(2) == 0 {
			older = append(older, [2]int{i, j})
		} else if !ok {
			newest[d.owner] = i
		}
	}
	return g.spread(ctx, len(older), Now.Add(-12*time.Hour), Now.Add(-time.Hour), func(k int) error {
		d, by := docs[older[k][0]], docs[older[k][1]]
		in := d.in
		in.Status, in.SupersededBy = library.Superseded, by.id
		return g.call("Library.Edit", func() error { _, err := g.a.Library.Edit(ctx, adminOf(d.owner), d.id, 1, in); return err })
	})
}

var (
	needTitles = []string{"Training for the national CSIRT in %s", "Help to draft a national framework for %s", "Tools and procedures for %s",
		"A mentor for the team in charge of %s", "Funding for a regional workshop on %s"}
	offerTitles  = []string{"Course on %s", "Experts in %s for a fortnight", "Remote assistance with %s", "Grants for projects on %s", "Templates and tooling for %s"}
	capLanguages = []string{"en", "fr", "es", "ar", "pt", "ru"}
)

func capTopics(r *rand.Rand) []capacity.Topic {
	all := capacity.Topics()
	var out []capacity.Topic
	for _, k := range r.Perm(len(all))[:1+r.IntN(3)] {
		out = append(out, all[k])
	}
	return out
}

func capLangs(r *rand.Rand) []string {
	out := []string{"en"}
	if r.IntN(100) < 60 {
		if l := capLanguages[1+r.IntN(len(capLanguages)-1)]; !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out
}

func capVisibility(r *rand.Rand) capacity.Visibility {
	switch n := r.IntN(100); {
	case n < 40:
		return capacity.Public
	case n < 92:
		return capacity.Participants
	}
	return capacity.Private
}

// capacityBuilding posts the scale's capacity-building offers, then its
// needs (each save computes the item's suggestions, as the product does),
// and turns some suggestions into partnerships: proposed by the State in
// need, accepted or declined by the offering State, and most agreed ones
// published by both.
func (g *gen) capacityBuilding(ctx context.Context) error {
	err := g.spread(ctx, g.target.Offers, Now.AddDate(-2, 0, 0), Now.AddDate(0, -1, 0), func(i int) error {
		r := rng(40, i)
		who := adminOf(g.owner(r))
		if r.IntN(100) < 8 {
			who = actor.Operator
		}
		work := works[r.IntN(len(works))]
		in := capacity.OfferInput{Kind: capacity.OfferKinds()[r.IntN(len(capacity.OfferKinds()))], Title: fmt.Sprintf(offerTitles[r.IntN(len(offerTitles))], work),
			Description: sentence(r, measures) + " We offer to share what we learnt about " + work + ".",
			Topics:      capTopics(r), Languages: capLangs(r), Capacity: fmt.Sprintf("%d experts, %d times a year", 1+r.IntN(4), 1+r.IntN(3)),
			Visibility: capVisibility(r)}
		for _, k := range r.Perm(len(docProvs))[:r.IntN(3)] {
			in.Provisions = append(in.Provisions, docProvs[k])
		}
		for _, k := range r.Perm(len(states.Regions()))[:r.IntN(3)] {
			in.Regions = append(in.Regions, states.Regions()[k])
		}
		if i == 0 { // France's, which the first need suits: every scale has a partnership
			who, in.Regions, in.Visibility = adminOf("FR"), nil, capacity.Public
			in.Topics = append(slices.DeleteFunc(in.Topics, func(t capacity.Topic) bool { return t == capacity.IncidentResponse }), capacity.IncidentResponse)
		}
		return g.call("Capacity.CreateOffer", func() error { _, err := g.a.Capacity.CreateOffer(ctx, who, in); return err })
	})
	if err != nil {
		return err
	}
	g.meta.Counts.Offers = g.target.Offers
	err = g.spread(ctx, g.target.Needs, Now.AddDate(-2, 0, 0), Now.AddDate(0, -1, 0), func(i int) error {
		r := rng(41, i)
		code := g.owner(r)
		work := works[r.IntN(len(works))]
		in := capacity.NeedInput{Title: fmt.Sprintf(needTitles[r.IntN(len(needTitles))], work),
			Description: sentence(r, gapsText) + " " + sentence(r, measures), Topics: capTopics(r), Languages: capLangs(r),
			Region: g.region(code), Visibility: capVisibility(r)}
		for _, k := range r.Perm(len(docProvs))[:r.IntN(3)] {
			in.Provisions = append(in.Provisions, docProvs[k])
		}
		if r.IntN(100) < 25 {
			in.SourceReport, in.SourceProvision = "National survey of implementation", "norm-h"
		}
		if i == 0 { // Kenya's, which France's first offer suits
			code, in.Region, in.Visibility = "KE", states.African, capacity.Public
			in.Topics = append(slices.DeleteFunc(in.Topics, func(t capacity.Topic) bool { return t == capacity.IncidentResponse }), capacity.IncidentResponse)
		}
		return g.call("Capacity.CreateNeed", func() error { _, err := g.a.Capacity.CreateNeed(ctx, adminOf(code), in); return err })
	})
	if err != nil {
		return err
	}
	g.meta.Counts.Needs = g.target.Needs
	// Each need's best suggestion of a State's offer, for as many needs as
	// the scale asks partnerships; one per need and per offer, so the
	// concurrent calls never change the same item.
	rows, err := g.a.DB.R.QueryContext(ctx, `SELECT m.need_id, m.offer_id, m.need_state, m.offer_state FROM capacity_matches m
		WHERE m.offer_state <> '' AND NOT EXISTS (SELECT 1 FROM capacity_partnerships p WHERE p.need_id = m.need_id OR p.offer_id = m.offer_id)
		ORDER BY m.need_id, m.score DESC, m.offer_id`)
	if err != nil {
		return err
	}
	type pair struct{ need, offer, needState, offerState string }
	var pairs []pair
	usedNeed, usedOffer := map[string]bool{}, map[string]bool{}
	for rows.Next() {
		var p pair
		if err := rows.Scan(&p.need, &p.offer, &p.needState, &p.offerState); err != nil {
			rows.Close()
			return err
		}
		if !usedNeed[p.need] && !usedOffer[p.offer] {
			usedNeed[p.need], usedOffer[p.offer] = true, true
			pairs = append(pairs, p)
		}
	}
	if err := rows.Close(); err != nil {
		return err
	}
	rng(42, 0).Shuffle(len(pairs), func(i, j int) { pairs[i], pairs[j] = pairs[j], pairs[i] })
	pairs = pairs[:min(len(pairs), g.target.Partnerships)]
	err = g.spread(ctx, len(pairs), Now.AddDate(0, -1, 0), Now.Add(-day), func(i int) error {
		r, p := rng(43, i), pairs[i]
		need, offer := adminOf(p.needState), adminOf(p.offerState)
		var ps capacity.Partnership
		err := g.call("Capacity.Propose", func() (err error) {
			ps, err = g.a.Capacity.Propose(ctx, need, p.need, p.offer, "Could your experts help us in the coming months?")
			return err
		})
		if err != nil {
			return err
		}
		switch n := r.IntN(100); {
		case n < 20: // not answered yet
			return nil
		case n < 35:
			return g.call("Capacity.Decline", func() error { _, err := g.a.Capacity.Decline(ctx, offer, ps.ID, ps.Version); return err })
		}
		if err := g.call("Capacity.Accept", func() (err error) { ps, err = g.a.Capacity.Accept(ctx, offer, ps.ID, ps.Version); return err }); err != nil {
			return err
		}
		if r.IntN(100) < 25 {
			return nil
		}
		for _, by := range []actor.Actor{need, offer} {
			if err := g.call("Capacity.Publish", func() (err error) { ps, err = g.a.Capacity.Publish(ctx, by, ps.ID, ps.Version); return err }); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	g.meta.Counts.Partnerships = len(pairs)
	return nil
}

// runsAtOnce is how many exercise runs of one scenario are played side by
// side, each between its own States: the clock moves through the
// scenario once for all of them.
const runsAtOnce = 4

// atLeastOne is n, or 1 where a tiny scale would round it to none, so
// every domain's pages have something of the build's to read.
func atLeastOne(n int) int { return max(n, 1) }

// exercises has the secretariat run the shipped scenarios, a few runs at
// a time over the past year, each between participating States at every
// level. The scheduler delivers each inject to the States' points of
// contact; the featured States' people act on most of what reaches them,
// often in time; the end marks the rest missed; then lessons are written.
func (g *gen) exercises(ctx context.Context) error {
	n := g.target.Runs
	if n <= 0 {
		return nil
	}
	p, err := g.a.Scenarios.List(ctx, actor.Operator, scenario.Filter{Owner: "shipped"}, page.Request{Limit: page.MaxLimit})
	if err != nil {
		return err
	}
	var scs []scenario.Scenario
	for _, s := range p.Items {
		sc, err := g.a.Scenarios.Scenario(ctx, actor.Operator, s.ID, 0)
		if err != nil {
			return err
		}
		scs = append(scs, sc)
	}
	if len(scs) == 0 {
		return fmt.Errorf("no shipped scenario")
	}
	groups := (n + runsAtOnce - 1) / runsAtOnce
	// Each pass of the scheduler runs every job due, not only the runs'.
	// The runs come before the communications, whose jobs the build leaves
	// queued, and end before the communication check opens, whose own
	// passes would run whatever earlier steps queued anyway.
	from, to := Now.AddDate(-1, 0, 0), Now.AddDate(0, 0, -20)
	order := g.shuffled(50)
	next := 0 // the next State of order to assign
	for k := range groups {
		sc := scs[k%len(scs)]
		start := from.Add(time.Duration(float64(to.Sub(from)) * float64(k) / float64(groups))).Truncate(time.Hour)
		g.clock.Set(start.Add(-2 * day))
		var runs []exercise.Run
		for j := range min(runsAtOnce, n-k*runsAtOnce) {
			r := rng(51, k*runsAtOnce+j)
			in := exercise.Input{ScenarioID: sc.ID, Title: fmt.Sprintf("%s (run %d)", sc.Title, k*runsAtOnce+j+1), Factor: 12,
				Levels: []scenario.Level{scenario.Technical, scenario.Policy}}
			if r.IntN(2) == 0 {
				in.Levels = append(in.Levels, scenario.Diplomatic)
			}
			var used []string
			for ri, role := range sc.Roles {
				var code string
				if ri == 0 && j < len(featured) {
					code = featured[(k+j)%len(featured)] // a featured State plays in every run, one per run of the group
				}
				for code == "" || slices.Contains(used, code) || slices.ContainsFunc(runs, func(x exercise.Run) bool { return slices.Contains(x.States(), code) }) ||
					(slices.Contains(featured, code) && ri > 0) {
					code = order[next%len(order)].Code
					next++
				}
				used = append(used, code)
				in.Assignments = append(in.Assignments, exercise.Assignment{Role: role.Key, State: code})
			}
			var run exercise.Run
			if err := g.call("Exercises.Create", func() (err error) { run, err = g.a.Exercises.Create(ctx, actor.Operator, in); return err }); err != nil {
				return err
			}
			runs = append(runs, run)
		}
		if err := g.drain(ctx); err != nil { // the invitations
			return err
		}
		g.clock.Set(start)
		for j := range runs {
			if err := g.call("Exercises.Start", func() (err error) {
				runs[j], err = g.a.Exercises.Start(ctx, actor.Operator, runs[j].ID, runs[j].Version)
				return err
			}); err != nil {
				return err
			}
		}
		for ii, inj := range sc.Injects {
			g.clock.Set(runs[0].WallAt(inj.Offset))
			if err := g.drain(ctx); err != nil {
				return err
			}
			gap := sc.Duration - inj.Offset
			if ii+1 < len(sc.Injects) {
				gap = sc.Injects[ii+1].Offset - inj.Offset
			}
			g.clock.Set(runs[0].WallAt(inj.Offset + gap/3))
			for j, run := range runs {
				if err := g.play(ctx, rng(52, (k*runsAtOnce+j)<<8|ii), run, inj); err != nil {
					return err
				}
			}
		}
		g.clock.Set(runs[0].WallAt(sc.Duration + time.Minute))
		if err := g.drain(ctx); err != nil { // the end: what was not done is missed
			return err
		}
		g.clock.Set(g.clock.Now().Add(2 * time.Hour))
		for j, run := range runs {
			r := rng(53, k*runsAtOnce+j)
			for _, code := range run.States() {
				kind := exercise.WentWell
				if r.IntN(2) == 0 {
					kind = exercise.ToImprove
				}
				text := "The " + works[r.IntN(len(works))] + " procedures held; name deputies at the policy level so no prompt is left unanswered."
				if err := g.call("Exercises.AddNote", func() error { _, err := g.a.Exercises.AddNote(ctx, adminOf(code), run.ID, kind, text); return err }); err != nil {
					return err
				}
			}
		}
		if err := g.seal(ctx); err != nil {
			return err
		}
		g.meta.Counts.Runs += len(runs)
	}
	return nil
}

// play has the featured States' people of run act on inject inj where it
// reached them: each expected action, most of the time.
func (g *gen) play(ctx context.Context, r *rand.Rand, run exercise.Run, inj scenario.Inject) error {
	for _, code := range run.States() {
		if !slices.Contains(featured, code) {
			continue
		}
		for _, acc := range g.senders[code] {
			if acc.Role != actor.POC {
				continue
			}
			for _, e := range inj.Expected {
				if r.IntN(100) >= 70 {
					continue
				}
				in := exercise.ActionInput{Inject: inj.Key, Action: e.Action, Text: "Done as the procedure says; details follow."}
				switch e.Action {
				case scenario.ReplyWithFields:
					in.Action, in.Fields = scenario.Reply, map[string]string{}
					for _, f := range e.Fields {
						in.Fields[f] = "Given in our answer: " + works[r.IntN(len(works))] + "."
					}
				case scenario.RequestAssistance:
					in.ToRole = e.ToRole
					for _, a := range run.Assignments {
						if in.ToRole == "" && a.State != code {
							in.ToRole = a.Role
						}
					}
				case scenario.Escalate:
					in.Level = e.Level
					if in.Level == "" {
						in.Level = scenario.Diplomatic
					}
				}
				err := g.call("Exercises.Act", func() error { _, err := g.a.Exercises.Act(ctx, acc, run.ID, in); return err })
				if errs.Is(err, errs.Forbidden) {
					break // the inject did not reach this account's points of contact
				}
				if err != nil {
					return err
				}
			}
		}
	}
	return nil
}
