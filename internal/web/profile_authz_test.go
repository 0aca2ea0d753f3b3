package web_test

import "net/url"

// profileRows are the authorization matrix's rows of the State profiles.
// They are public pages: everyone gets them, nobody sees a point of
// contact on them, and a State's participation only when signed in, as the
// directory shows it.
func profileRows(f *fixture) []struct {
	name   string
	method string
	path   string
	form   url.Values
	expect expect
} {
	// Entries of the directory, and accounts other than the viewer's own
	// (whose address the sign-out button shows).
	pocs := func(r string) []string {
		out := []string{frEntry, keEntry, nzEntry, keAdmin}
		if r != "fradmin" {
			out = append(out, frAdmin)
		}
		if r != "kepoc" {
			out = append(out, keAccount)
		}
		return out
	}
	noPOCs, profileAbsent := map[string][]string{}, map[string][]string{}
	for _, r := range roles {
		noPOCs[r], profileAbsent[r] = pocs(r), pocs(r)
	}
	profileAbsent["anon"] = append(profileAbsent["anon"], "Participating since", "Not participating")
	return []struct {
		name   string
		method string
		path   string
		form   url.Values
		expect expect
	}{
		{"the transparency page", "GET", "/transparency", nil, expect{def: ok, absent: noPOCs,
			present: map[string][]string{"anon": {`href="/survey"`, `href="/library"`, `href="/capacity"`, `href="/profiles"`, `href="/results"`, `href="/meetings/public"`}}}},
		{"State profiles", "GET", "/profiles", nil, expect{def: ok, absent: noPOCs,
			present: map[string][]string{"anon": {`href="/profiles/compare"`, `action="/profiles/go"`, "the 2026b cycle"}}}},
		{"a State's profile", "GET", "/profiles/FR", nil, expect{def: ok, absent: profileAbsent,
			present: map[string][]string{"frpoc": {"Participating since"}, "kepoc": {"Participating since"}, "anon": {`href="/profiles/compare?state=FR"`}}}},
		{"a State's profile by a lower-case code", "GET", "/profiles/ke", nil, expect{def: ok, absent: profileAbsent}},
		{"an unknown State's profile", "GET", "/profiles/XX", nil, expect{def: notFound}},
		{"a State code with a NUL byte", "GET", "/profiles/F%00R", nil, expect{def: notFound}},
		{"the profile chooser", "GET", "/profiles/go?state=KE", nil, expect{def: see}},
		{"the comparison's form", "GET", "/profiles/compare", nil, expect{def: ok, absent: map[string][]string{"anon": {"choose at least one State"}},
			present: map[string][]string{"anon": {`name="state"`}}}},
		{"States side by side", "GET", "/profiles/compare?state=FR&state=KE&state=NZ", nil, expect{def: ok, absent: noPOCs}},
		{"four States side by side", "GET", "/profiles/compare?state=FR&state=KE&state=NZ&state=DE", nil, expect{def: 422,
			present: map[string][]string{"anon": {"choose at most three States"}, "kepoc": {"choose at most three States"}}}},
	}
}
