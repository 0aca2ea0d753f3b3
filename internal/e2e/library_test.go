package e2e

import (
	"bytes"
	"context"
	"os"

	"github.com/detente/detente/internal/library"
	"github.com/detente/detente/internal/messaging"
)

// libraryStops shares the tour's documents — FR's national strategy as a
// PDF, KE's draft law for participants as a link, superseding an earlier
// one — and returns the pages each person visits, by account key.
func libraryStops(f *fixture) map[string][]stop {
	f.t.Helper()
	ctx := context.Background()
	svc := f.app.Library
	must := func(d library.Document, err error) library.Document {
		f.t.Helper()
		if err != nil {
			f.t.Fatal(err)
		}
		return d
	}
	pdf, err := os.ReadFile("../library/testdata/strategy.pdf")
	if err != nil {
		f.t.Fatal(err)
	}
	fr := must(svc.Add(ctx, f.acc["frpoc"].Actor(), library.Input{Type: library.Strategy, Title: "National cybersecurity strategy 2027–2031",
		Summary:  "Five pillars: resilience of essential services, incident response, cooperation, skills and international law.",
		Language: "fr", Status: library.Adopted, Provisions: []string{"norm-h", "cbm-7"}, Topics: []string{"resilience", "cooperation"},
		Visibility: library.Public, File: &messaging.Upload{Name: "strategie.pdf", MediaType: "application/pdf", Content: bytes.NewReader(pdf)}}))
	ke := f.acc["kepoc"].Actor()
	next := must(svc.Add(ctx, ke, library.Input{Type: library.Law, Title: "Computer Misuse and Cybercrimes (Amendment) Bill", Language: "en",
		Status: library.InProgress, Provisions: []string{"norm-h"}, Visibility: library.Participants, Link: "https://ke.e2e.invalid/bill"}))
	old := must(svc.Add(ctx, ke, library.Input{Type: library.Law, Title: "Computer Misuse and Cybercrimes Act", Language: "en",
		Status: library.Superseded, SupersededBy: next.ID, Visibility: library.Public, Link: "https://ke.e2e.invalid/act"}))
	return map[string][]stop{
		"": {
			{name: "library", path: "/library"},
			{name: "library-search", path: "/library?q=xylocarpous"},
			{name: "library-document", path: "/library/" + fr.ID},
			{name: "library-superseded", path: "/library/" + old.ID},
		},
		"kepoc": {
			{name: "library-state", path: "/library?state=KE"},
			{name: "library-superseded", path: "/library/" + old.ID},
			{name: "library-new", path: "/library/new"},
			{name: "library-new-errors", path: "/library/new", then: submitBroken("#link", "javascript:alert(1)", "#link-error")},
			{name: "library-edit", path: "/library/" + next.ID + "/edit"},
		},
	}
}

// withLibrary adds the policy library's pages to the tour's legs.
func withLibrary(f *fixture, legs []leg) []leg {
	more := libraryStops(f)
	for i := range legs {
		legs[i].stops = append(legs[i].stops, more[legs[i].who]...)
	}
	return legs
}
