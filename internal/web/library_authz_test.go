package web_test

import (
	"net/http"
	"net/url"
)

// libraryRows are the authorization matrix's rows of the policy library.
// KE's private draft, and the word only its PDF holds, reach KE and the
// secretariat alone; KE's strategy for participants reaches no one
// signed out and no State that does not participate (NZ); only the
// sharing State changes or withdraws a document.
func libraryRows(f *fixture) []struct {
	name   string
	method string
	path   string
	form   url.Values
	expect expect
} {
	c := f.library()
	ke, private, fr := "/library/"+c.ke.ID, "/library/"+c.private.ID, "/library/"+c.fr.ID
	add := url.Values{"type": {"strategy"}, "title": {"Matrix document"}, "language": {"en"}, "status": {"adopted"},
		"visibility": {"private"}, "link": {"https://example.org/matrix"}}
	broken := url.Values{"type": {"poem"}, "title": {"Bad\x00title"}, "summary": {"\xff"}, "language": {"english!"}, "status": {"lost"},
		"visibility": {"everyone"}, "link": {"javascript:alert(1)"}, "date": {"2027-02-30"}, "provisions": {"norm-zz"}}
	stale := url.Values{"version": {"999"}}
	writers := func(s int) map[string]int {
		return map[string]int{"anon": unauth, "sec": s, "fradmin": s, "frpoc": s, "kepoc": s}
	}
	owner := func(s int) map[string]int {
		return map[string]int{"anon": notFound, "nzpoc": notFound, "kepoc": s}
	}
	return []struct {
		name   string
		method string
		path   string
		form   url.Values
		expect expect
	}{
		{"library", "GET", "/library", nil, expect{def: ok,
			present: map[string][]string{"anon": {frLibTitle}, "nzpoc": {frLibTitle}, "frpoc": {frLibTitle, keLibTitle, `href="/library/new"`},
				"kepoc": {frLibTitle, keLibTitle, kePrivLibTitle}, "sec": {keLibTitle, kePrivLibTitle, `href="/library/new"`}},
			absent: map[string][]string{"anon": {keLibTitle, kePrivLibTitle, `href="/library/new"`}, "nzpoc": {keLibTitle, kePrivLibTitle, `href="/library/new"`},
				"fradmin": {kePrivLibTitle}, "frpoc": {kePrivLibTitle}, "frviewer": {kePrivLibTitle, `href="/library/new"`}}}},
		{"library of a State", "GET", "/library?state=KE&type=strategy&provision=norm-h", nil, expect{def: ok,
			present: map[string][]string{"frpoc": {keLibTitle}, "kepoc": {keLibTitle}},
			absent: map[string][]string{"anon": {keLibTitle, kePrivLibTitle, frLibTitle}, "frpoc": {kePrivLibTitle, frLibTitle},
				"nzpoc": {keLibTitle, kePrivLibTitle}, "kepoc": {frLibTitle, kePrivLibTitle}}}},
		{"library search in a PDF's text", "GET", "/library?q=" + libWord, nil, expect{def: ok,
			present: map[string][]string{"kepoc": {kePrivLibTitle}, "sec": {kePrivLibTitle}},
			absent: map[string][]string{"anon": {kePrivLibTitle, keLibTitle, frLibTitle}, "fradmin": {kePrivLibTitle}, "frpoc": {kePrivLibTitle},
				"frviewer": {kePrivLibTitle}, "nzpoc": {kePrivLibTitle}, "kepoc": {keLibTitle, frLibTitle}}}},
		{"library, bad filter", "GET", "/library?state=XX&type=poem&provision=norm-zz&q=a%E2%80%AEb", nil, expect{def: http.StatusUnprocessableEntity,
			present: map[string][]string{"kepoc": {`id="state-error"`, `id="type-error"`, `id="provision-error"`, `id="q-error"`}}}},
		{"KE's document", "GET", ke, nil, expect{def: ok, status: map[string]int{"anon": notFound, "nzpoc": notFound},
			present: map[string][]string{"kepoc": {keLibTitle, ke + "/edit", ke + "/delete"}, "frpoc": {keLibTitle, "https://ke.example.org/strategy"}},
			absent: map[string][]string{"anon": {keLibTitle}, "nzpoc": {keLibTitle}, "sec": {ke + "/edit", ke + "/delete"},
				"fradmin": {ke + "/edit", ke + "/delete"}, "frpoc": {ke + "/edit"}, "frviewer": {ke + "/edit", ke + "/delete"}}}},
		{"KE's private document", "GET", private, nil, expect{def: notFound, status: map[string]int{"sec": ok, "kepoc": ok},
			present: map[string][]string{"kepoc": {kePrivLibTitle, private + "/file"}, "sec": {kePrivLibTitle}},
			absent: map[string][]string{"anon": {kePrivLibTitle}, "fradmin": {kePrivLibTitle}, "frpoc": {kePrivLibTitle}, "frviewer": {kePrivLibTitle},
				"nzpoc": {kePrivLibTitle}, "sec": {private + "/edit"}}}},
		{"KE's private file", "GET", private + "/file", nil, expect{def: notFound, status: map[string]int{"sec": ok, "kepoc": ok},
			present: map[string][]string{"kepoc": {libWord}}, absent: map[string][]string{"anon": {libWord}, "frpoc": {libWord}, "nzpoc": {libWord}}}},
		{"FR's public document", "GET", fr, nil, expect{def: ok,
			present: map[string][]string{"anon": {frLibTitle, fr + "/file"}, "frpoc": {fr + "/edit"}}, absent: map[string][]string{"anon": {fr + "/edit", fr + "/delete"},
				"kepoc": {fr + "/edit"}, "sec": {fr + "/edit"}, "frviewer": {fr + "/edit", fr + "/delete"}, "nzpoc": {fr + "/edit"}}}},
		{"unknown document", "GET", "/library/not-a-document", nil, expect{def: notFound}},
		{"KE's profile lists its documents", "GET", "/profiles/KE", nil, expect{def: ok,
			present: map[string][]string{"kepoc": {keLibTitle, kePrivLibTitle}, "sec": {keLibTitle, kePrivLibTitle}, "frpoc": {keLibTitle}},
			absent: map[string][]string{"anon": {keLibTitle, kePrivLibTitle}, "nzpoc": {keLibTitle, kePrivLibTitle}, "fradmin": {kePrivLibTitle},
				"frpoc": {kePrivLibTitle}, "frviewer": {kePrivLibTitle}}}},
		{"new document form", "GET", "/library/new", nil, expect{def: forbidden, status: map[string]int{"anon": see, "sec": ok, "fradmin": ok, "frpoc": ok, "kepoc": ok},
			present: map[string][]string{"kepoc": {`enctype="multipart/form-data"`, `name="attachments"`, `name="link"`}}}},
		{"edit form of KE's document", "GET", ke + "/edit", nil, expect{def: forbidden, status: owner(ok),
			present: map[string][]string{"kepoc": {keLibTitle, `value="participants" checked`}}}},
		{"add a document", "POST", "/library", add, expect{def: forbidden, status: writers(see)}},
		{"add a document (bad input)", "POST", "/library", broken, expect{def: forbidden, status: writers(http.StatusUnprocessableEntity),
			present: map[string][]string{"kepoc": {`id="title-error"`, `id="type-error"`, `id="summary-error"`, `id="language-error"`, `id="status-error"`,
				`id="visibility-error"`, `id="link-error"`, `id="date-error"`, `id="provisions-error"`}}}},
		{"change KE's document (stale version)", "POST", ke + "/edit", stale, expect{def: forbidden, status: owner(http.StatusConflict),
			absent: map[string][]string{"anon": {keLibTitle}, "nzpoc": {keLibTitle}}}},
		{"withdraw KE's document (stale version)", "POST", ke + "/delete", stale, expect{def: forbidden, status: owner(http.StatusConflict)}},
	}
}
