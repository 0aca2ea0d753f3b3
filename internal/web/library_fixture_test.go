package web_test

import (
	"bytes"
	"context"
	"os"

	"github.com/detente/detente/internal/library"
	"github.com/detente/detente/internal/messaging"
)

// What the library pages must show only to those who may see it.
const (
	keLibTitle     = "KE cyber strategy for participants 8d21"
	kePrivLibTitle = "KE draft law on networks, private 0c4f"
	frLibTitle     = "FR position on international law c7a9"
	// libWord is in the text of KE's private PDF only.
	libWord = "xylocarpous"
)

// libraryItems are the fixture's documents: KE's strategy for
// participants (a link), KE's private draft (a PDF whose text holds
// libWord) and FR's public position (a text file).
type libraryItems struct {
	ke, private, fr library.Document
}

func (f *fixture) library() libraryItems {
	f.t.Helper()
	ctx := context.Background()
	svc := f.app.Library
	pdf, err := os.ReadFile("../library/testdata/strategy.pdf")
	if err != nil {
		f.t.Fatal(err)
	}
	add := func(who string, in library.Input) library.Document {
		d, err := svc.Add(ctx, f.acc[who].Actor(), in)
		if err != nil {
			f.t.Fatal(err)
		}
		return d
	}
	doc := func(title string, vis library.Visibility) library.Input {
		return library.Input{Type: library.Strategy, Title: title, Language: "en", Status: library.Adopted,
			Provisions: []string{"norm-h"}, Visibility: vis}
	}
	var c libraryItems
	ke := doc(keLibTitle, library.Participants)
	ke.Link = "https://ke.example.org/strategy"
	c.ke = add("kepoc", ke)
	priv := doc(kePrivLibTitle, library.Private)
	priv.Type, priv.Status = library.Law, library.InProgress
	priv.File = &messaging.Upload{Name: "draft.pdf", MediaType: "application/pdf", Content: bytes.NewReader(pdf)}
	c.private = add("kepoc", priv)
	fr := doc(frLibTitle, library.Public)
	fr.Type = library.LawPosition
	fr.File = &messaging.Upload{Name: "position.txt", Content: bytes.NewReader([]byte("France's position on the application of international law."))}
	c.fr = add("frpoc", fr)
	return c
}
