package api

import "net/http"

// profileMatrix are the authorization matrix's rows of the State
// profiles: anyone may ask, each part is what the caller may read, points
// of contact are never part of it, and nothing ranks or totals States.
var profileMatrix = []matrixCase{
	{name: "KE's profile", method: http.MethodGet, path: func(f *fixture, _ string) string { f.capacity(); return "/profiles/ke" },
		want: all(200),
		hide: map[string][]string{sec: {keTechEmail, keNeed2Title}, frAdmin: {keTechEmail, keNeed2Title}, kePOC: {keTechEmail, keNeed2Title},
			nzPOC: {keTechEmail, keNeed2Title}, anon: {keTechEmail, keNeed2Title, "participating"}},
		show: map[string][]string{anon: {`"code":"KE"`, `"partner":"FR"`}, kePOC: {`"participating":true`, `"partner":"FR"`}}},
	{name: "an unknown State's profile", method: http.MethodGet, path: static("/profiles/xx"), want: all(404)},
	{name: "profiles side by side", method: http.MethodGet, path: static("/profiles/compare?state=ke&state=FR"),
		want: all(200),
		hide: map[string][]string{anon: {"participating", keTechEmail}, kePOC: {"total", "rank", "score", frTechEmail}},
		show: map[string][]string{anon: {`"states":[{"code":"KE"`, `"code":"FR"`}}},
	{name: "too many profiles side by side", method: http.MethodGet, path: static("/profiles/compare?state=KE&state=FR&state=NZ&state=DE"),
		want: all(422), show: map[string][]string{anon: {`"state"`}}},
	{name: "profiles side by side of no State", method: http.MethodGet, path: static("/profiles/compare"),
		want: all(422), show: map[string][]string{kePOC: {`"state"`}}},
	{name: "counts across States", method: http.MethodGet, path: static("/profiles/counts"),
		want: all(200), hide: map[string][]string{anon: {`"KE"`, `"FR"`, "total", "rank"}},
		show: map[string][]string{anon: {`"provision":"norm-h","states":0`}}},
}

func init() { matrix = append(matrix, profileMatrix...) }
