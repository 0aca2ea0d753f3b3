package e2e

// withProfiles adds the State profiles to the tour's legs: the public
// sees the index, a profile and three States side by side; a POC sees a
// profile with the State's participation.
func withProfiles(legs []leg) []leg {
	more := map[string][]stop{
		"": {
			{name: "transparency", path: "/transparency"},
			{name: "profiles", path: "/profiles"},
			{name: "profile", path: "/profiles/FR"},
			{name: "profiles-compare-form", path: "/profiles/compare"},
			{name: "profiles-compare", path: "/profiles/compare?state=FR&state=KE&state=DE"},
		},
		"kepoc": {
			{name: "profile", path: "/profiles/FR"},
		},
	}
	for i := range legs {
		legs[i].stops = append(legs[i].stops, more[legs[i].who]...)
	}
	return legs
}
