package web_test

import (
	"net/http"
	"net/url"
)

// capacityRows are the authorization matrix's rows of the capacity pages.
// Suggestions and partnerships appear only on the pages of their own
// sides' items, and a partnership on the public list only once both
// consented: FR never sees the one KE agreed with the secretariat, the
// secretariat never sees FR's proposal to KE, and the public and NZ (not
// participating) see neither.
func capacityRows(f *fixture) []struct {
	name   string
	method string
	path   string
	form   url.Values
	expect expect
} {
	c := f.capacity()
	need, private, secOffer, frOffer := "/capacity/needs/"+c.need.ID, "/capacity/needs/"+c.private.ID, "/capacity/offers/"+c.secOffer.ID, "/capacity/offers/"+c.frOffer.ID
	agreed, pending := "/capacity/partnerships/"+c.agreed.ID, "/capacity/partnerships/"+c.pending.ID
	negotiations := []string{secNote, frNote}
	post := url.Values{"title": {"Matrix need"}, "description": {"Help."}, "topics": {"awareness"}, "languages": {"en"},
		"region": {"African"}, "visibility": {"private"}}
	broken := url.Values{"title": {"Bad\x00title"}, "description": {"\xff"}, "topics": {"hacking"}, "languages": {"english!"},
		"region": {"Mars"}, "visibility": {"everyone"}}
	badOffer := url.Values{"kind": {"loan"}, "title": {"Offer"}, "description": {"Help."}, "topics": {"awareness"}, "languages": {"en"},
		"visibility": {"public"}, "from": {"2027-02-30"}, "until": {"9999-01-01"}}
	writers := func(s int) map[string]int {
		return map[string]int{"anon": unauth, "fradmin": s, "frpoc": s, "kepoc": s}
	}
	stale := url.Values{"version": {"999"}}
	return []struct {
		name   string
		method string
		path   string
		form   url.Values
		expect expect
	}{
		{"capacity needs", "GET", "/capacity", nil, expect{def: ok,
			present: map[string][]string{"anon": {kePublicTitle, "Promote information exchange on cooperation and partnership between States"},
				"sec": {keNeedTitle, kePrivateTitle, `href="/capacity/offers/new"`}, "frpoc": {keNeedTitle, kePublicTitle, `href="/capacity/needs/new"`},
				"kepoc": {keNeedTitle, kePrivateTitle, kePublicTitle}, "nzpoc": {kePublicTitle}},
			absent: map[string][]string{"anon": {keNeedTitle, kePrivateTitle, `href="/capacity/needs/new"`}, "sec": {`href="/capacity/needs/new"`},
				"fradmin": {kePrivateTitle}, "frpoc": {kePrivateTitle}, "frviewer": {kePrivateTitle, `href="/capacity/needs/new"`, `href="/capacity/offers/new"`},
				"nzpoc": {keNeedTitle, kePrivateTitle, `href="/capacity/needs/new"`}}}},
		{"capacity needs filtered", "GET", "/capacity?topic=incident_response&provision=norm-h&language=sw&region=African&limit=1", nil, expect{def: ok,
			present: map[string][]string{"kepoc": {"Next page"}}, absent: map[string][]string{"anon": {keNeedTitle}, "frpoc": {kePrivateTitle}}}},
		{"capacity needs, bad filter", "GET", "/capacity?topic=hacking&region=Mars", nil, expect{def: http.StatusUnprocessableEntity,
			present: map[string][]string{"kepoc": {`id="topic-error"`, `id="region-error"`}}}},
		{"capacity offers", "GET", "/capacity/offers", nil, expect{def: ok,
			present: map[string][]string{"anon": {frOfferTitle}, "frpoc": {frOfferTitle, secOfferTitle}, "sec": {secOfferTitle, `href="/capacity/offers/new"`}},
			absent:  map[string][]string{"anon": {secOfferTitle}, "nzpoc": {secOfferTitle}, "frviewer": {`href="/capacity/offers/new"`}}}},
		{"published partnerships", "GET", "/capacity/partnerships", nil, expect{def: ok,
			present: map[string][]string{"anon": {kePublicTitle, frOfferTitle}, "nzpoc": {kePublicTitle}},
			absent:  map[string][]string{"anon": {keNeedTitle, secOfferTitle, "?mine=1"}, "sec": {keNeedTitle}, "frpoc": {keNeedTitle}, "kepoc": {keNeedTitle}, "nzpoc": {keNeedTitle}}}},
		{"own partnerships", "GET", "/capacity/partnerships?mine=1", nil, expect{def: ok, status: map[string]int{"anon": see},
			present: map[string][]string{"kepoc": {keNeedTitle, secOfferTitle, frOfferTitle}, "sec": {keNeedTitle, secOfferTitle}, "frviewer": {keNeedTitle, frOfferTitle}},
			absent: map[string][]string{"sec": {frOfferTitle, kePublicTitle}, "fradmin": {secOfferTitle}, "frpoc": {secOfferTitle}, "frviewer": {secOfferTitle},
				"nzpoc": {keNeedTitle, secOfferTitle, frOfferTitle}}}},
		{"KE's need", "GET", need, nil, expect{def: ok, status: map[string]int{"anon": notFound, "nzpoc": notFound},
			present: map[string][]string{"kepoc": append([]string{secOfferTitle, frOfferTitle, pending + "/accept", agreed + "/publish", need + "/edit"}, negotiations...)},
			absent: map[string][]string{"anon": {keNeedTitle}, "sec": append([]string{need + "/edit", "/accept", "/publish"}, negotiations...),
				"fradmin": append([]string{need + "/edit", "/accept"}, negotiations...), "frpoc": append([]string{secOfferTitle, need + "/edit", "/accept"}, negotiations...),
				"frviewer": append([]string{secOfferTitle}, negotiations...), "nzpoc": {keNeedTitle, secNote}}}},
		{"KE's private need", "GET", private, nil, expect{def: notFound, status: map[string]int{"sec": ok, "kepoc": ok},
			present: map[string][]string{"kepoc": {secOfferTitle}}, absent: map[string][]string{"kepoc": {frOfferTitle}, "frpoc": {kePrivateTitle}, "sec": {secNote}}}},
		{"the secretariat's offer", "GET", secOffer, nil, expect{def: ok, status: map[string]int{"anon": notFound, "nzpoc": notFound},
			present: map[string][]string{"sec": {secNote, keNeedTitle, kePrivateTitle, agreed + "/publish", secOffer + "/edit"}},
			absent:  map[string][]string{"kepoc": {secNote, secOffer + "/edit"}, "fradmin": {secNote, kePrivateTitle}, "frpoc": {secNote, kePrivateTitle, "/publish"}, "frviewer": {secNote}}}},
		{"FR's offer", "GET", frOffer, nil, expect{def: ok,
			present: map[string][]string{"anon": {frOfferTitle}, "frpoc": {frNote, keNeedTitle, frOffer + "/edit"}, "frviewer": {frNote}},
			absent: map[string][]string{"anon": {frNote, frOffer + "/edit"}, "sec": {frNote, secNote}, "kepoc": {frNote, frOffer + "/edit"}, "nzpoc": {frNote},
				"frviewer": {frOffer + "/edit", "/accept"}, "frpoc": {pending + "/accept", kePrivateTitle}}}},
		{"unknown need", "GET", "/capacity/needs/not-a-need", nil, expect{def: notFound}},
		{"new need form", "GET", "/capacity/needs/new", nil, expect{def: forbidden, status: map[string]int{"anon": see, "fradmin": ok, "frpoc": ok, "kepoc": ok},
			present: map[string][]string{"kepoc": {`name="source_report"`, `value="African" selected`}}}},
		{"new offer form", "GET", "/capacity/offers/new", nil, expect{def: forbidden, status: map[string]int{"anon": see, "sec": ok, "fradmin": ok, "frpoc": ok, "kepoc": ok},
			present: map[string][]string{"sec": {`name="regions"`, `name="until"`}}}},
		{"edit form of KE's need", "GET", need + "/edit", nil, expect{def: forbidden, status: map[string]int{"anon": notFound, "kepoc": ok, "nzpoc": notFound},
			present: map[string][]string{"kepoc": {keNeedTitle, `value="partnered" checked`}}}},
		{"edit form of FR's offer", "GET", frOffer + "/edit", nil, expect{def: forbidden, status: map[string]int{"anon": see, "fradmin": ok, "frpoc": ok}}},
		{"post a need", "POST", "/capacity/needs", post, expect{def: forbidden, status: writers(see)}},
		{"post a need (bad input)", "POST", "/capacity/needs", broken, expect{def: forbidden, status: writers(http.StatusUnprocessableEntity),
			present: map[string][]string{"kepoc": {`id="title-error"`, `id="description-error"`, `id="topics-error"`, `id="languages-error"`, `id="region-error"`, `id="visibility-error"`}}}},
		{"post an offer (bad input)", "POST", "/capacity/offers", badOffer, expect{def: forbidden, status: map[string]int{"anon": unauth, "sec": 422, "fradmin": 422, "frpoc": 422, "kepoc": 422},
			present: map[string][]string{"sec": {`id="kind-error"`, `id="from-error"`, `id="until-error"`}}}},
		{"change KE's need (stale version)", "POST", need + "/edit", post, expect{def: forbidden,
			status: map[string]int{"anon": notFound, "kepoc": http.StatusConflict, "nzpoc": notFound}}},
		{"change FR's offer (stale version)", "POST", frOffer + "/edit", stale, expect{def: forbidden,
			status: map[string]int{"anon": unauth, "fradmin": http.StatusConflict, "frpoc": http.StatusConflict}}},
		{"propose a partnership agreed already", "POST", "/capacity/partnerships", url.Values{"need": {c.need.ID}, "offer": {c.secOffer.ID}}, expect{def: forbidden,
			status: map[string]int{"anon": unauth, "sec": http.StatusConflict, "kepoc": http.StatusConflict},
			absent: map[string][]string{"fradmin": {secNote}, "frpoc": {secNote}, "nzpoc": {secNote}}}},
		{"accept FR's proposal (stale version)", "POST", pending + "/accept", stale, expect{def: notFound,
			status: map[string]int{"anon": unauth, "frviewer": forbidden, "frpoc": forbidden, "fradmin": forbidden, "kepoc": http.StatusConflict},
			absent: map[string][]string{"sec": {frNote}, "nzpoc": {frNote}}}},
		{"decline FR's proposal (stale version)", "POST", pending + "/decline", stale, expect{def: notFound,
			status: map[string]int{"anon": unauth, "frviewer": forbidden, "frpoc": forbidden, "fradmin": forbidden, "kepoc": http.StatusConflict}}},
		{"publish the agreed partnership (stale version)", "POST", agreed + "/publish", stale, expect{def: notFound,
			status: map[string]int{"anon": unauth, "frviewer": forbidden, "sec": http.StatusConflict, "kepoc": http.StatusConflict},
			absent: map[string][]string{"fradmin": {secNote}, "frpoc": {secNote}}}},
		{"no such partnership action", "POST", agreed + "/withdraw", nil, expect{def: notFound}},
		{"the published partnership", "GET", "/capacity/partnerships/" + c.pub.ID, nil, expect{def: ok,
			present: map[string][]string{"anon": {kePublicTitle, frOfferTitle}, "kepoc": {"/capacity/needs/" + c.pub.NeedID}, "frpoc": {"/capacity/offers/" + c.pub.OfferID}},
			absent:  map[string][]string{"anon": {"/capacity/needs/", "/capacity/offers/", keNeedTitle}, "sec": {"/capacity/needs/"}, "nzpoc": {"/capacity/needs/", keNeedTitle}}}},
		{"the partnership KE agreed with the secretariat, unpublished", "GET", agreed, nil, expect{def: notFound,
			status:  map[string]int{"sec": ok, "kepoc": ok},
			present: map[string][]string{"sec": {keNeedTitle, secOfferTitle}, "kepoc": {keNeedTitle, secOfferTitle}},
			absent:  map[string][]string{"anon": {keNeedTitle, secOfferTitle}, "frpoc": {keNeedTitle, secOfferTitle}, "nzpoc": {keNeedTitle}}}},
		{"FR's proposal to KE, unanswered", "GET", pending, nil, expect{def: ok,
			status:  map[string]int{"anon": notFound, "sec": notFound, "nzpoc": notFound},
			present: map[string][]string{"kepoc": {keNeedTitle, frOfferTitle}, "frviewer": {keNeedTitle, frOfferTitle}},
			absent:  map[string][]string{"anon": {keNeedTitle, frOfferTitle}, "sec": {keNeedTitle, frOfferTitle}, "nzpoc": {keNeedTitle}}}},
		{"no such partnership", "GET", "/capacity/partnerships/00000000-0000-7000-8000-000000000000", nil, expect{def: notFound}},
		{"a partnership id that is no id", "GET", "/capacity/partnerships/%00%ff", nil, expect{def: notFound}},
	}
}
