package taxii_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/stix"
	"github.com/detente/detente/internal/stix/stixtest"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
	"github.com/detente/detente/internal/taxii"
)

type envelope struct {
	More    bool              `json:"more"`
	Next    string            `json:"next"`
	Objects []json.RawMessage `json:"objects"`
}

type status struct {
	ID           string `json:"id"`
	Status       string `json:"status"`
	TotalCount   int    `json:"total_count"`
	SuccessCount int    `json:"success_count"`
	FailureCount int    `json:"failure_count"`
	PendingCount int    `json:"pending_count"`
	Failures     []struct {
		ID, Version, Message string
	} `json:"failures"`
}

type manifest struct {
	More    bool   `json:"more"`
	Next    string `json:"next"`
	Objects []struct {
		ID        string `json:"id"`
		DateAdded string `json:"date_added"`
		Version   string `json:"version"`
		MediaType string `json:"media_type"`
	} `json:"objects"`
}

// held is what a collection should hold: by "id version", the bytes of
// the first object posted under it.
type held map[string][]byte

func key(o stix.Object) string {
	v, _ := o.Version()
	return o.ID + " " + stix.FormatTime(v)
}

func canon(t *testing.T, b []byte) []byte {
	t.Helper()
	c, err := stix.Canonical(b)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// post adds a bundle as role, follows its status, and checks that exactly
// the objects whose id and version the collection already holds with other
// content failed (ATT&CK releases change some objects without a new
// modified timestamp), and that everything else succeeded.
func post(t *testing.T, f *fixture, role, coll, name string, want held) {
	t.Helper()
	raw, err := stixtest.Attack(name)
	if err != nil {
		t.Fatal(err)
	}
	b, err := stix.ParseBundle(raw, stix.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	conflicts := map[string]bool{}
	for _, o := range b.Objects {
		if prev, ok := want[key(o)]; ok {
			if !bytes.Equal(prev, o.Raw) && !bytes.Equal(canon(t, prev), canon(t, o.Raw)) {
				conflicts[key(o)] = true
			}
			continue
		}
		want[key(o)] = o.Raw
	}
	res := f.do(t, role, "POST", coll+"objects/", raw, header("Content-Type", taxii.MediaSTIX))
	if res.status != 202 || res.header.Get("Content-Type") != taxii.MediaTAXII {
		t.Fatalf("POST %s: %d %s %.300s", name, res.status, res.header.Get("Content-Type"), res.body)
	}
	var st status
	res.json(t, &st)
	again := f.do(t, role, "GET", taxii.APIRoot+"status/"+st.ID+"/", nil)
	var st2 status
	again.json(t, &st2)
	if again.status != 200 || st2.ID != st.ID || st2.SuccessCount != st.SuccessCount || st2.FailureCount != st.FailureCount {
		t.Fatalf("status %s read back: %d %+v", st.ID, again.status, st2)
	}
	if st.Status != "complete" || st.TotalCount != len(b.Objects) || st.SuccessCount+st.FailureCount != st.TotalCount || st.PendingCount != 0 {
		t.Fatalf("%s: status %+v for %d objects", name, st, len(b.Objects))
	}
	if st.FailureCount != len(conflicts) {
		t.Fatalf("%s: %d failures, %d objects changed without a new version", name, st.FailureCount, len(conflicts))
	}
	for _, fl := range st.Failures {
		if !conflicts[fl.ID+" "+fl.Version] || fl.Message == "" {
			t.Fatalf("%s: unexpected failure %+v", name, fl)
		}
	}
}

// all pages through the objects of coll with query q, following next, and
// returns them in order; date_added must grow from page to page.
func all(t *testing.T, f *fixture, role, coll string, q url.Values) []stix.Object {
	t.Helper()
	var out []stix.Object
	lastAdded := ""
	for pages := 0; ; pages++ {
		res := f.do(t, role, "GET", coll+"objects/?"+q.Encode(), nil)
		if res.status != 200 {
			t.Fatalf("GET objects?%s: %d %.300s", q.Encode(), res.status, res.body)
		}
		var env envelope
		res.json(t, &env)
		if len(env.Objects) > 0 {
			first, last := res.header.Get("X-TAXII-Date-Added-First"), res.header.Get("X-TAXII-Date-Added-Last")
			if first == "" || last < first || first <= lastAdded {
				t.Fatalf("date added headers %q..%q after %q", first, last, lastAdded)
			}
			lastAdded = last
		}
		for _, r := range env.Objects {
			out = append(out, light(t, r))
		}
		if !env.More {
			if env.Next != "" {
				t.Fatal("next without more")
			}
			return out
		}
		if env.Next == "" || pages > 1000 {
			t.Fatal("more without next")
		}
		q.Set("next", env.Next)
	}
}

// TestAttackOverTAXII adds every ATT&CK release as a client would and
// reads it all back: ICS 17.0, 18.0 and 18.1 into France's collection and
// Mobile 17.0 and 17.1 into Kenya's, so objects carry several versions; and
// the latest ICS release alone into the shared collection, where it must
// load whole.
func TestAttackOverTAXII(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db.Engine, stix.Limits{})
		sets := []struct {
			role, coll string
			bundles    []string
		}{
			{frPOC, frPath, []string{"ics-attack-17.0", "ics-attack-18.0", "ics-attack-18.1"}},
			{kePOC, kePath, []string{"mobile-attack-17.0", "mobile-attack-17.1"}},
			{frPOC, sharedPath, []string{"ics-attack-18.1"}},
		}
		for _, set := range sets {
			want := held{}
			for _, name := range set.bundles {
				post(t, f, set.role, set.coll, name, want)
			}
			checkCollection(t, f, set.role, set.coll, want)
		}
		if n := len(stixtest.AttackBundles()); n != 5 {
			t.Fatalf("%d ATT&CK bundles in the test data", n)
		}
	})
}

func checkCollection(t *testing.T, f *fixture, role, coll string, want held) {
	// Every version, a thousand a page: each comes back as it went in.
	got := all(t, f, role, coll, url.Values{"match[version]": {"all"}, "limit": {"1000"}})
	if len(got) != len(want) {
		t.Fatalf("%s: %d versions back, %d stored", coll, len(got), len(want))
	}
	seen := map[string]bool{}
	last := map[string]string{}  // id → its last version
	first := map[string]string{} // id → its first version
	byType := map[string]int{}
	for _, o := range got {
		k := key(o)
		if seen[k] {
			t.Fatalf("%s came back twice", k)
		}
		seen[k] = true
		// Byte for byte, which is more than the same canonical JSON.
		if !bytes.Equal(o.Raw, want[k]) {
			t.Fatalf("%s came back changed", k)
		}
		v, _ := o.Version()
		vs := stix.SortableTime(v)
		if l, ok := last[o.ID]; !ok || vs > l {
			last[o.ID] = vs
		}
		if l, ok := first[o.ID]; !ok || vs < l {
			first[o.ID] = vs
		}
	}
	// The default is the last version of each object; a smaller page.
	latest := all(t, f, role, coll, url.Values{"limit": {"700"}})
	if len(latest) != len(last) {
		t.Fatalf("%d objects at their last version, %d objects", len(latest), len(last))
	}
	for _, o := range latest {
		v, _ := o.Version()
		if stix.SortableTime(v) != last[o.ID] {
			t.Fatalf("%s: not the last version", key(o))
		}
		byType[o.Type]++
	}
	// By type.
	tactics := all(t, f, role, coll, url.Values{"match[type]": {"x-mitre-tactic,x-mitre-matrix"}, "limit": {"7"}})
	if len(tactics) != byType["x-mitre-tactic"]+byType["x-mitre-matrix"] || byType["x-mitre-tactic"] == 0 {
		t.Fatalf("match[type]: %d objects, want %d", len(tactics), byType["x-mitre-tactic"]+byType["x-mitre-matrix"])
	}
	for _, o := range tactics {
		if o.Type != "x-mitre-tactic" && o.Type != "x-mitre-matrix" {
			t.Fatalf("match[type] gave a %s", o.Type)
		}
	}
	// The object with the most versions: by id, versions, first, a
	// timestamp, its own endpoint and the versions endpoint.
	versions := map[string][]string{}
	for _, o := range got {
		v, _ := o.Version()
		versions[o.ID] = append(versions[o.ID], stix.FormatTime(v))
	}
	most := ""
	for id, vs := range versions {
		if len(vs) > len(versions[most]) || (len(vs) == len(versions[most]) && id < most) {
			most = id
		}
	}
	vs := versions[most]
	sort.Strings(vs)
	byID := all(t, f, role, coll, url.Values{"match[id]": {most}, "match[version]": {"all"}})
	if len(byID) != len(vs) {
		t.Fatalf("match[id]=%s: %d versions, want %d", most, len(byID), len(vs))
	}
	firstOnly := all(t, f, role, coll, url.Values{"match[id]": {most}, "match[version]": {"first"}})
	if v, _ := firstOnly[0].Version(); len(firstOnly) != 1 || stix.SortableTime(v) != first[most] {
		t.Fatalf("match[version]=first: %d objects", len(firstOnly))
	}
	one := all(t, f, role, coll, url.Values{"match[id]": {most}, "match[version]": {vs[0]}})
	if v, _ := one[0].Version(); len(one) != 1 || stix.FormatTime(v) != vs[0] {
		t.Fatalf("match[version]=%s: %d objects", vs[0], len(one))
	}
	res := f.do(t, role, "GET", coll+"objects/"+most+"/", nil)
	var env envelope
	res.json(t, &env)
	if res.status != 200 || len(env.Objects) != 1 {
		t.Fatalf("GET object: %d, %d objects", res.status, len(env.Objects))
	}
	if o, _ := stix.Parse(env.Objects[0], stix.DefaultLimits()); stix.SortableTime(must(o.Version())) != last[most] {
		t.Fatal("GET object: not the last version")
	}
	res = f.do(t, role, "GET", coll+"objects/"+most+"/versions/", nil)
	var vl struct {
		More     bool     `json:"more"`
		Versions []string `json:"versions"`
	}
	res.json(t, &vl)
	got2 := slices.Clone(vl.Versions)
	sort.Strings(got2)
	if res.status != 200 || vl.More || !slices.Equal(got2, vs) {
		t.Fatalf("versions: %d %v, want %v", res.status, vl.Versions, vs)
	}
	// The manifest lists every version, paged.
	q := url.Values{"match[version]": {"all"}, "limit": {"999"}}
	n := 0
	for {
		res := f.do(t, role, "GET", coll+"manifest/?"+q.Encode(), nil)
		var m manifest
		res.json(t, &m)
		for _, r := range m.Objects {
			v, err := stix.ParseTime(r.Version)
			if err != nil || !seen[r.ID+" "+stix.FormatTime(v)] || r.MediaType != taxii.MediaSTIX || r.DateAdded == "" {
				t.Fatalf("manifest record %+v", r)
			}
			n++
		}
		if !m.More {
			break
		}
		q.Set("next", m.Next)
	}
	if n != len(want) {
		t.Fatalf("manifest: %d records, want %d", n, len(want))
	}
	// added_after resumes after a page's last date_added, where next
	// would.
	res = f.do(t, role, "GET", coll+"objects/?limit=10&match[version]=all", nil)
	lastAdded := res.header.Get("X-TAXII-Date-Added-Last")
	var page1 envelope
	res.json(t, &page1)
	res = f.do(t, role, "GET", coll+"objects/?limit=5&match[version]=all&added_after="+url.QueryEscape(lastAdded), nil)
	var afterPage, nextPage envelope
	res.json(t, &afterPage)
	res = f.do(t, role, "GET", coll+"objects/?limit=5&match[version]=all&next="+url.QueryEscape(page1.Next), nil)
	res.json(t, &nextPage)
	if len(afterPage.Objects) != 5 || !bytes.Equal(afterPage.Objects[0], got[10].Raw) || !bytes.Equal(nextPage.Objects[4], got[14].Raw) {
		t.Fatalf("added_after %s and next do not resume after the tenth object", lastAdded)
	}
}

func must[T any](v T, _ bool) T { return v }

// light reads what the checks need of an object as a client would,
// without the server's checks of every byte.
func light(t *testing.T, raw []byte) stix.Object {
	t.Helper()
	var c struct {
		Type, ID          string
		Created, Modified string
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	o := stix.Object{Raw: raw, Type: c.Type, ID: c.ID}
	for _, ts := range []struct {
		s   string
		dst **time.Time
	}{{c.Created, &o.Created}, {c.Modified, &o.Modified}} {
		if ts.s != "" {
			v, err := stix.ParseTime(ts.s)
			if err != nil {
				t.Fatal(err)
			}
			*ts.dst = &v
		}
	}
	return o
}

// TestEachAttackReleaseWhole adds each ATT&CK release alone to a
// collection of its own — five States' own collections — and checks that
// it loads completely: every object stored, no failure in the status, and
// everything back byte for byte. TestAttackOverTAXII, where releases
// follow each other in one collection, shows the other side: there the
// objects a later release changes without a new modified timestamp are
// refused, as STIX asks.
func TestEachAttackReleaseWhole(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db.Engine, stix.Limits{})
		ctx := context.Background()
		// Two more States' POCs, so that each release has a State of its own.
		for _, code := range []string{"JP", "BR"} {
			acc, _, err := f.app.Access.CreateAccount(ctx, actor.Operator, access.NewAccount{Email: "poc@" + strings.ToLower(code) + ".test.invalid",
				DisplayName: code + " POC", Role: actor.POC, State: code, Password: "correct horse battery staple"})
			if err != nil {
				t.Fatal(err)
			}
			role := strings.ToLower(code) + "poc"
			f.acc[role] = acc
			f.token[role] = f.newToken(role, actor.ScopeRead, actor.ScopeWrite)
		}
		releases := stixtest.AttackBundles()
		if len(releases) != 5 {
			t.Fatalf("%d ATT&CK releases in the test data, want 5", len(releases))
		}
		owners := []struct{ role, state string }{{frPOC, "FR"}, {kePOC, "KE"}, {nzPOC, "NZ"}, {"jppoc", "JP"}, {"brpoc", "BR"}}
		for i, name := range releases {
			t.Run(name, func(t *testing.T) {
				o := owners[i]
				coll := taxii.APIRoot + "collections/" + taxii.StateCollectionID(o.state) + "/"
				raw, err := stixtest.Attack(name)
				if err != nil {
					t.Fatal(err)
				}
				b, err := stix.ParseBundle(raw, stix.DefaultLimits())
				if err != nil {
					t.Fatal(err)
				}
				want := held{}
				post(t, f, o.role, coll, name, want) // fails on any failure: a release alone has no conflict
				if len(want) != len(b.Objects) {
					t.Fatalf("%s repeats an id and version within itself: %d objects, %d versions", name, len(b.Objects), len(want))
				}
				checkCollection(t, f, o.role, coll, want)
			})
		}
	})
}
