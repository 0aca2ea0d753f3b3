package api

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/http"
	"sync"

	"github.com/detente/detente/internal/library"
	"github.com/detente/detente/internal/messaging"
)

// What the library routes must show only to those who may read it.
const (
	libFRPrivate = "FR private strategy draft 2a6c"
	libKEParts   = "KE strategy for participants 7e03"
	libSecPublic = "Secretariat good practice b91d"
	// libWord is in the text of FR's private file only: a search must
	// not find the document for anyone who may not read it.
	libWord = "quinquennial"
	libFile = "The " + libWord + " review of the national strategy."
)

// librarySet holds the fixture's documents: FR's private draft (a text
// file holding libWord), KE's strategy for participants (a link) and the
// secretariat's public paper (a link).
type librarySet struct {
	frPriv, ke, secPub library.Document
}

var librarySets sync.Map

func libraryInput(title string, v library.Visibility) library.Input {
	return library.Input{Type: library.Strategy, Title: title, Language: "en", Status: library.Adopted, Provisions: []string{"cbm-7"},
		Topics: []string{"strategy"}, Visibility: v}
}

func (f *fixture) library() *librarySet {
	f.t.Helper()
	if v, ok := librarySets.Load(f.app); ok {
		return v.(*librarySet)
	}
	var set librarySet
	priv := libraryInput(libFRPrivate, library.Private)
	priv.Status = library.InProgress
	priv.File = &messaging.Upload{Name: "draft.txt", Content: bytes.NewReader([]byte(libFile))}
	set.frPriv = f.addDocument(frAdmin, priv)
	ke := libraryInput(libKEParts, library.Participants)
	ke.Link = "https://ke.test.invalid/strategy"
	set.ke = f.addDocument(kePOC, ke)
	pub := libraryInput(libSecPublic, library.Public)
	pub.Type, pub.Link = library.GoodPractice, "https://un.test.invalid/good-practice"
	set.secPub = f.addDocument(sec, pub)
	v, _ := librarySets.LoadOrStore(f.app, &set)
	return v.(*librarySet)
}

func (f *fixture) addDocument(role string, in library.Input) library.Document {
	f.t.Helper()
	d, err := f.app.Library.Add(context.Background(), f.acc[role].Actor(), in)
	if err != nil {
		f.t.Fatal(err)
	}
	return d
}

// freshDocument adds a public document of FR's, for one role's write.
func (f *fixture) freshDocument() library.Document {
	f.t.Helper()
	in := libraryInput("FR public strategy", library.Public)
	in.Link = "https://fr.test.invalid/strategy"
	return f.addDocument(frPOC, in)
}

func documentPath(pick func(*librarySet) library.Document, suffix string) func(*fixture, string) string {
	return func(f *fixture, _ string) string { return "/library/documents/" + pick(f.library()).ID + suffix }
}

// libraryMatrix are the authorization matrix's rows of the library
// routes: each document as visible as its owner chose, in lists and
// search alike; only the sharing side changes or withdraws it.
var libraryMatrix = []matrixCase{
	{name: "library documents", method: http.MethodGet, path: func(f *fixture, _ string) string { f.library(); return "/library/documents?limit=200" },
		//          sec  fradm frpoc frvw kepoc nzpoc  ro  anon
		want: all(200),
		hide: map[string][]string{kePOC: {libFRPrivate}, nzPOC: {libFRPrivate, libKEParts}, anon: {libFRPrivate, libKEParts, "updated_by"}},
		show: map[string][]string{sec: {libFRPrivate, libKEParts, libSecPublic}, frViewer: {libFRPrivate, libKEParts, `"text":"extracted"`},
			kePOC: {libKEParts}, anon: {libSecPublic, `"owner_state":""`}}},
	{name: "search the library", method: http.MethodGet, path: func(f *fixture, _ string) string { f.library(); return "/library/documents?q=" + libWord[:8] },
		// The word is in FR's private file only.
		want: all(200),
		hide: map[string][]string{kePOC: {libFRPrivate}, nzPOC: {libFRPrivate}, anon: {libFRPrivate}, sec: {libKEParts}},
		show: map[string][]string{sec: {libFRPrivate, `"count":1`}, readOnly: {libFRPrivate}, kePOC: {`"count":0`}, anon: {`"count":0`}}},
	{name: "library documents of a State", method: http.MethodGet, path: func(f *fixture, _ string) string {
		f.library()
		return "/library/documents?state=fr&type=strategy&provision=cbm-7"
	},
		want: all(200),
		hide: map[string][]string{sec: {libKEParts}, kePOC: {libFRPrivate}, anon: {libFRPrivate}}, show: map[string][]string{frPOC: {libFRPrivate}}},
	{name: "library documents with unknown filters", method: http.MethodGet, path: static("/library/documents?type=novel&state=XX&provision=norm-zz&cursor=x"),
		want: all(422), show: map[string][]string{anon: {`"type"`, `"state"`, `"provision"`, `"cursor"`}}},
	{name: "FR's private document", method: http.MethodGet, path: documentPath(func(s *librarySet) library.Document { return s.frPriv }, ""),
		want: byRole{200, 200, 200, 200, 404, 404, 200, 404},
		hide: map[string][]string{kePOC: {libFRPrivate}, nzPOC: {libFRPrivate}, anon: {libFRPrivate}},
		show: map[string][]string{sec: {libFRPrivate, `"name":"draft.txt"`, `"link":""`}}},
	{name: "KE's document for participants", method: http.MethodGet, path: documentPath(func(s *librarySet) library.Document { return s.ke }, ""),
		want: byRole{200, 200, 200, 200, 200, 404, 200, 404},
		hide: map[string][]string{nzPOC: {libKEParts}, anon: {libKEParts}}, show: map[string][]string{frPOC: {libKEParts, `"file":null`}}},
	{name: "the file of FR's private document", method: http.MethodGet, path: documentPath(func(s *librarySet) library.Document { return s.frPriv }, "/file"),
		want: byRole{200, 200, 200, 200, 404, 404, 200, 404},
		hide: map[string][]string{kePOC: {libWord}, nzPOC: {libWord}, anon: {libWord}}, show: map[string][]string{frViewer: {libFile}}},
	{name: "the file of a link", method: http.MethodGet, path: documentPath(func(s *librarySet) library.Document { return s.secPub }, "/file"),
		want: all(404)},
	{name: "share a link", method: http.MethodPost, path: static("/library/documents"),
		body: func(_ *fixture, role string) any {
			return map[string]any{"type": "law", "title": "Law shared by " + role, "language": "fr", "date": "2025-06-30", "status": "adopted",
				"provisions": []string{"cbm-8"}, "topics": []string{"law"}, "visibility": "participants", "link": "https://example.test.invalid/law"}
		},
		// A State outside the directory does not share documents.
		want: byRole{201, 201, 201, 403, 201, 403, 403, 401},
		show: map[string][]string{sec: {`"owner_state":""`, `"date":"2025-06-30"`}, kePOC: {`"owner_state":"KE"`, `"text":"none"`}}},
	{name: "share a file", method: http.MethodPost, path: static("/library/documents"),
		body: func(_ *fixture, role string) any {
			return map[string]any{"type": "concept_paper", "title": "Paper of " + role, "language": "en", "status": "in_progress", "visibility": "private",
				"file": map[string]any{"name": "paper.txt", "media_type": "text/plain", "content_base64": base64.StdEncoding.EncodeToString([]byte("A concept paper."))}}
		},
		want: byRole{201, 201, 201, 403, 201, 403, 403, 401},
		show: map[string][]string{frPOC: {`"name":"paper.txt"`, `"text":"extracted"`, `"visibility":"private"`}}},
	{name: "change a document", method: http.MethodPut, header: map[string]string{"If-Match": `"1"`},
		path: func(f *fixture, _ string) string { return "/library/documents/" + f.freshDocument().ID },
		body: func(_ *fixture, role string) any {
			return map[string]any{"type": "strategy", "title": "Edited by " + role, "language": "fr", "status": "superseded", "visibility": "public",
				"link": "https://fr.test.invalid/strategy-2"}
		},
		// Superseded names no document: refused to those who may change it.
		want: byRole{403, 422, 422, 403, 403, 403, 403, 401},
		show: map[string][]string{frAdmin: {`"superseded_by"`}}},
	{name: "change a document's title", method: http.MethodPut, header: map[string]string{"If-Match": `"1"`},
		path: func(f *fixture, _ string) string { return "/library/documents/" + f.freshDocument().ID },
		body: func(_ *fixture, role string) any {
			return map[string]any{"type": "strategy", "title": "Edited by " + role, "language": "fr", "status": "adopted", "visibility": "public",
				"link": "https://fr.test.invalid/strategy"}
		},
		want: byRole{403, 200, 200, 403, 403, 403, 403, 401},
		show: map[string][]string{frAdmin: {"Edited by fradmin", `"version":2`}}},
	{name: "withdraw a document", method: http.MethodDelete, header: map[string]string{"If-Match": `"1"`},
		path: func(f *fixture, _ string) string { return "/library/documents/" + f.freshDocument().ID },
		want: byRole{403, 204, 204, 403, 403, 403, 403, 401}},
}

func init() { matrix = append(matrix, libraryMatrix...) }
