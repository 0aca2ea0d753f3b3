package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/app"
	"github.com/detente/detente/internal/checks"
	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/config"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/messaging"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
	"github.com/detente/detente/internal/tlp"
	"github.com/detente/detente/internal/webhook"
)

// The callers every test speaks as. Each signed-in role uses an API token
// of its account; ro is a read-only token of the French administrator.
const (
	sec      = "sec"      // the secretariat
	frAdmin  = "fradmin"  // France's State administrator
	frPOC    = "frpoc"    // a French POC account
	frViewer = "frviewer" // French read-only staff
	kePOC    = "kepoc"    // another participating State's POC
	nzPOC    = "nzpoc"    // a POC of a State that does not participate
	readOnly = "ro"       // a read-only token of frAdmin
	anon     = "anon"     // no token at all
)

// roles is the column order of the authorization matrix.
var roles = []string{sec, frAdmin, frPOC, frViewer, kePOC, nzPOC, readOnly, anon}

// epoch is the fixed time the fixture's clock starts at.
var epoch = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// fixture is a running API over a real database, with a cast of accounts
// and directory entries:
//   - France and Kenya participate; New Zealand does not (and so sees
//     only its own entries);
//   - POCs frtech and frdip (France), ketech (Kenya), nztech (New Zealand).
type fixture struct {
	t     *testing.T
	app   *app.App
	api   *server
	srv   *httptest.Server
	clock *clock.Fixed
	acc   map[string]access.Account // by role, plus keadmin and nzadmin
	token map[string]string         // bearer secret by role
	poc   map[string]directory.POC  // frtech, frdip, ketech, nztech
	msg   messaging.Message         // FR's TLP:AMBER information request to KE
	red   messaging.Message         // FR's TLP:RED note to KE's POC by name
	// A closed check of FR and KE (KE answered, FR did not) and an open
	// one; KE's POC answers for KE's technical entry.
	spring, autumn  checks.Check
	autumnChallenge *string         // KE's challenge in the autumn check, see pendingFor
	frHook          string          // a webhook of FR's administrator
	spec            *spec           // every response is checked against it
	seen            map[string]bool // "METHOD /path" operations exercised
	seq             *int            // makes fresh names unique; shared by copies
	hc              *http.Client
}

// Emails of the fixture's people and POCs, used by the leak assertions.
const (
	frAdminEmail = "admin@fr.test.invalid"
	keAdminEmail = "admin@ke.test.invalid"
	frTechEmail  = "cert@fr-cert.test.invalid"
	frDipEmail   = "ambassador@fr-mfa.test.invalid"
	keTechEmail  = "duty@ke-cirt.test.invalid"
	nzTechEmail  = "duty@nz-cert.test.invalid"
)

func newFixture(t *testing.T, engine store.Engine) *fixture {
	t.Helper()
	ctx := context.Background()
	cfg, err := config.Parse("test", nil, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Database = storetest.DSN(t, engine)
	c := clock.NewFixed(epoch)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := app.Open(ctx, cfg, log, app.Options{Clock: c, Argon2: &access.Argon2{MemoryKiB: 1024, Time: 1, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	f := &fixture{t: t, app: a, clock: c, acc: map[string]access.Account{}, token: map[string]string{},
		poc: map[string]directory.POC{}, spec: loadSpec(t), seen: map[string]bool{},
		seq: new(int), autumnChallenge: new(string), hc: &http.Client{Timeout: 30 * time.Second}}

	for _, code := range []string{"FR", "KE"} {
		since := epoch.AddDate(-1, 0, 0)
		if err := a.Directory.SetParticipation(ctx, actor.Operator, code, &since); err != nil {
			t.Fatal(err)
		}
	}
	for _, x := range []struct {
		key, email string
		role       actor.Role
		state      string
	}{
		{sec, "sec@un.test.invalid", actor.Secretariat, ""},
		{frAdmin, frAdminEmail, actor.StateAdmin, "FR"},
		{frPOC, "poc@fr.test.invalid", actor.POC, "FR"},
		{frViewer, "viewer@fr.test.invalid", actor.Viewer, "FR"},
		{"keadmin", keAdminEmail, actor.StateAdmin, "KE"},
		{kePOC, "poc@ke.test.invalid", actor.POC, "KE"},
		{"nzadmin", "admin@nz.test.invalid", actor.StateAdmin, "NZ"},
		{nzPOC, "poc@nz.test.invalid", actor.POC, "NZ"},
	} {
		acc, _, err := a.Access.CreateAccount(ctx, actor.Operator, access.NewAccount{
			Email: x.email, DisplayName: x.key, Role: x.role, State: x.state, Password: "correct horse battery staple"})
		if err != nil {
			t.Fatalf("account %s: %v", x.key, err)
		}
		f.acc[x.key] = acc
	}
	for _, role := range roles {
		switch role {
		case anon:
		case readOnly:
			f.token[role] = f.newToken(frAdmin, actor.ScopeRead)
		case frViewer:
			f.token[role] = f.newToken(role, actor.ScopeRead)
		default:
			f.token[role] = f.newToken(role, actor.ScopeRead, actor.ScopeWrite)
		}
	}
	f.poc["frtech"] = f.nominate("FR", directory.Technical, "FR CERT duty", frTechEmail)
	f.poc["frdip"] = f.nominate("FR", directory.Diplomatic, "FR cyber ambassador", frDipEmail)
	ketech, err := a.Directory.Nominate(ctx, f.acc["keadmin"].Actor(), "KE", directory.POCInput{
		Level: directory.Technical, FunctionTitle: "KE CIRT duty", Organisation: "KE CIRT", Emails: []string{keTechEmail}, Phones: []string{"+254 20 000 0000"},
		Languages: []string{"en"}, TimeZone: "Africa/Nairobi", Availability: directory.Always, AccountID: f.acc[kePOC].ID})
	if err != nil {
		t.Fatal(err)
	}
	f.poc["ketech"] = ketech
	f.poc["nztech"] = f.nominate("NZ", directory.Technical, "NZ CERT duty", nzTechEmail)

	f.setUpChecks()
	f.frHook = f.freshHook()
	f.msg, err = a.Messaging.Send(ctx, f.acc[frPOC].Actor(), messaging.Draft{Type: messaging.InformationRequest, Recipients: []string{"KE"},
		Level: messaging.Technical, Urgency: messaging.Routine, TLP: tlp.Amber, Subject: frSubject, Body: "Do you see scanning from these ranges?",
		Fields: map[string]string{"question": "Indicators?"}, AckRequested: true,
		Attachments: []messaging.Upload{{Name: "ranges.txt", MediaType: "text/plain", Content: strings.NewReader(amberFile)}}})
	if err != nil {
		t.Fatal(err)
	}
	f.red, err = a.Messaging.Send(ctx, f.acc[frPOC].Actor(), messaging.Draft{Type: messaging.InformationRequest, Recipients: []string{"KE"},
		Level: messaging.Technical, Urgency: messaging.Routine, TLP: tlp.Red, Subject: redSubject, Body: "For your eyes only.",
		Fields: map[string]string{"question": "Who else knows?"}, Named: []string{f.acc[kePOC].ID},
		Attachments: []messaging.Upload{{Name: "source.txt", MediaType: "text/plain", Content: strings.NewReader(redFile)}}})
	if err != nil {
		t.Fatal(err)
	}

	f.api = newServer(a.Services())
	f.srv = httptest.NewServer(f.api)
	t.Cleanup(f.srv.Close)
	return f
}

// with returns the fixture reporting to t, for use inside a subtest:
// failing the parent test from a subtest's goroutine is not allowed.
func (f *fixture) with(t *testing.T) *fixture {
	c := *f
	c.t = t
	return &c
}

// newToken issues an API token for the account of role and returns its
// secret.
func (f *fixture) newToken(role string, scopes ...actor.Scope) string {
	f.t.Helper()
	secret, _, err := f.app.Access.CreateToken(context.Background(), f.acc[role].Actor(), "fixture "+role, scopes, 90*24*time.Hour)
	if err != nil {
		f.t.Fatalf("token for %s: %v", role, err)
	}
	return secret
}

// tokenID issues a fresh token for the account of role and returns its id.
func (f *fixture) tokenID(role string) string {
	f.t.Helper()
	_, tok, err := f.app.Access.CreateToken(context.Background(), f.acc[role].Actor(), "fresh", []actor.Scope{actor.ScopeRead}, 24*time.Hour)
	if err != nil {
		f.t.Fatalf("token for %s: %v", role, err)
	}
	return tok.ID
}

// admins maps a State to the fixture account that manages its POCs.
var admins = map[string]string{"FR": frAdmin, "KE": "keadmin", "NZ": "nzadmin"}

func (f *fixture) nominate(state string, lv directory.Level, title, email string) directory.POC {
	f.t.Helper()
	p, err := f.app.Directory.Nominate(context.Background(), f.acc[admins[state]].Actor(), state, directory.POCInput{
		Level: lv, FunctionTitle: title, Organisation: "Org of " + title, Emails: []string{email}, Phones: []string{"+33 1 23 45 67 89"},
		Languages: []string{"en", "fr"}, TimeZone: "Europe/Paris", Availability: directory.Always,
	})
	if err != nil {
		f.t.Fatalf("nominate %s: %v", title, err)
	}
	return p
}

// freshPOC nominates a new French entry, for a request that changes it.
func (f *fixture) freshPOC() directory.POC {
	*f.seq++
	n := *f.seq
	return f.nominate("FR", directory.Policy, fmt.Sprintf("FR policy desk %d", n), fmt.Sprintf("desk%d@fr-mfa.test.invalid", n))
}

// freshViewer creates a new French viewer account, for a request that
// changes it.
func (f *fixture) freshViewer() access.Account {
	f.t.Helper()
	*f.seq++
	acc, _, err := f.app.Access.CreateAccount(context.Background(), actor.Operator, access.NewAccount{
		Email: fmt.Sprintf("viewer%d@fr.test.invalid", *f.seq), DisplayName: "fresh viewer", Role: actor.Viewer, State: "FR"})
	if err != nil {
		f.t.Fatal(err)
	}
	return acc
}

// response is what a request got back.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) String() string { return fmt.Sprintf("%d %s", r.status, r.body) }

// json decodes the body into a generic value, failing the test if it is
// not JSON.
func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("body is not a JSON object: %v: %s", err, r.body)
	}
	return v
}

// errorFields returns the error body's field messages.
func (r response) errorFields(t *testing.T) map[string]any {
	t.Helper()
	e, _ := r.json(t)["error"].(map[string]any)
	if e == nil {
		t.Fatalf("no error object in %s", r.body)
	}
	fields, _ := e["fields"].(map[string]any)
	return fields
}

// req describes one request. body is sent as is when it is a string (with
// Content-Type application/json unless header says otherwise) and as JSON
// otherwise.
type req struct {
	method, path string
	body         any
	header       map[string]string
}

// do sends r as role, checks the response against the OpenAPI document and
// records the operation as exercised.
func (f *fixture) do(role string, r req) response {
	f.t.Helper()
	var body io.Reader
	var raw []byte
	switch b := r.body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	case []byte:
		raw = b
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			f.t.Fatal(err)
		}
	}
	if r.body != nil {
		body = bytes.NewReader(raw)
	}
	hr, err := http.NewRequest(r.method, f.srv.URL+prefix+r.path, body)
	if err != nil {
		f.t.Fatal(err)
	}
	if r.body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	if tok := f.token[role]; tok != "" {
		hr.Header.Set("Authorization", "Bearer "+tok)
	}
	for k, v := range r.header {
		hr.Header.Set(k, v)
	}
	res, err := f.hc.Do(hr)
	if err != nil {
		f.t.Fatal(err)
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	got := response{status: res.StatusCode, header: res.Header, body: out}
	f.conform(hr, raw, got)
	return got
}

func (f *fixture) get(role, path string) response {
	f.t.Helper()
	return f.do(role, req{method: http.MethodGet, path: path})
}

// secrets returns what must never appear in any response: password
// hashes, the fixture's password, and the fixture's token secrets and
// their stored hashes.
func (f *fixture) secrets() []string {
	out := []string{"$argon2", "correct horse battery staple"}
	for _, tok := range f.token {
		sum := sha256.Sum256([]byte(tok))
		out = append(out, tok, hex.EncodeToString(sum[:]))
	}
	return out
}

// conform checks a response against the OpenAPI document: its status is
// documented for the operation, its body matches the schema, documented
// headers are present. It also checks no secret ever leaks.
func (f *fixture) conform(hr *http.Request, reqBody []byte, res response) {
	f.t.Helper()
	for _, s := range f.secrets() {
		if bytes.Contains(res.body, []byte(s)) {
			f.t.Errorf("%s %s: response contains %q", hr.Method, hr.URL.Path, s)
		}
	}
	_, pattern := f.api.mux.Handler(hr)
	if pattern == "" {
		// Unknown routes are answered with the common error body.
		f.spec.checkBody(f.t, "#/components/schemas/Error", res, hr.Method+" "+hr.URL.Path)
		return
	}
	method, path, _ := strings.Cut(pattern, " ")
	path = strings.TrimPrefix(path, prefix)
	f.seen[method+" "+path] = true
	f.spec.checkResponse(f.t, method, path, hr, reqBody, res)
}

// count is a snapshot of the rows every write touches; a refused request
// must leave it unchanged.
type count map[string]int

func (f *fixture) counts() count {
	f.t.Helper()
	c := count{}
	for _, q := range []struct{ name, sql string }{
		{"pocs", `SELECT COUNT(*) FROM pocs`},
		{"poc_versions", `SELECT COUNT(*) FROM poc_versions`},
		{"poc_version_sum", `SELECT COALESCE(SUM(version), 0) FROM pocs`},
		{"retired", `SELECT COUNT(*) FROM pocs WHERE status = 'retired'`},
		{"accounts", `SELECT COUNT(*) FROM accounts`},
		{"disabled", `SELECT COUNT(*) FROM accounts WHERE disabled_at IS NOT NULL`},
		{"api_tokens", `SELECT COUNT(*) FROM api_tokens`},
		{"revoked", `SELECT COUNT(*) FROM api_tokens WHERE revoked_at IS NOT NULL`},
		{"participating", `SELECT COUNT(participating_since) FROM states`},
		{"audit_log", `SELECT COUNT(*) FROM audit_log`},
		{"messages", `SELECT COUNT(*) FROM messages`},
		{"attachments", `SELECT COUNT(*) FROM attachments`},
		{"ping_campaigns", `SELECT COUNT(*) FROM ping_campaigns`},
		{"webhooks", `SELECT COUNT(*) FROM webhooks`},
		{"message_templates", `SELECT COUNT(*) FROM message_templates`},
	} {
		var n int
		if err := f.app.DB.R.QueryRow(q.sql).Scan(&n); err != nil {
			f.t.Fatalf("%s: %v", q.name, err)
		}
		c[q.name] = n
	}
	return c
}

// testKey returns an armored OpenPGP key made at the fixture's time:
// public, or with its private part when private is set.
func testKey(t *testing.T, private bool) string {
	t.Helper()
	cfg := &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA, Curve: packet.Curve25519, Time: func() time.Time { return epoch.Add(-time.Hour) }}
	e, err := openpgp.NewEntity("FR CERT", "", "cert@fr-cert.test.invalid", cfg)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	kind := openpgp.PublicKeyType
	if private {
		kind = openpgp.PrivateKeyType
	}
	w, err := armor.Encode(&b, kind, nil)
	if err != nil {
		t.Fatal(err)
	}
	if private {
		err = e.SerializePrivate(w, cfg)
	} else {
		err = e.Serialize(w)
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// engines runs fn with a fresh fixture on every available database.
// Subjects of the fixture's messages, for the leak assertions.
const (
	amberFile  = "198.51.100.0/24 scanning, seen by FR only and KE"
	redFile    = "the named source, for KE's named POC only"
	frSubject  = "Scanning from FR ranges"
	redSubject = "Named source, handle with care"
)

// setUpChecks holds the spring check (closed, published) and opens the
// autumn one.
func (f *fixture) setUpChecks() {
	f.t.Helper()
	ctx := context.Background()
	s := f.acc[sec].Actor()
	create := func(name string, hours int) checks.Check {
		c, err := f.app.Checks.Create(ctx, s, checks.Input{Name: name, ScopeKind: checks.ScopeStates, Scope: []string{"FR", "KE"},
			Levels: []string{"technical"}, WindowHours: hours})
		if err != nil {
			f.t.Fatal(err)
		}
		f.drain()
		return c
	}
	f.spring = create("Spring check", 1)
	pending, err := f.app.Checks.Pending(ctx, f.acc[kePOC].Actor())
	if err != nil || len(pending) != 1 {
		f.t.Fatalf("KE's pending checks: %v %v", pending, err)
	}
	if err := f.app.Checks.AcknowledgeAsAccount(ctx, f.acc[kePOC].Actor(), pending[0].Challenge.ID, checks.ViaInbox); err != nil {
		f.t.Fatal(err)
	}
	f.clock.Advance(2 * time.Hour)
	f.drain()
	if err := f.app.Checks.SetPublished(ctx, s, f.spring.ID, true); err != nil {
		f.t.Fatal(err)
	}
	f.autumn = create("Autumn check", 72)
}

// pendingFor returns the challenge id of the open check that the account
// of role may confirm. Once confirmed it is no longer pending, so the id
// is kept from the first call.
func (f *fixture) pendingFor(role string) string {
	f.t.Helper()
	if *f.autumnChallenge == "" {
		pending, err := f.app.Checks.Pending(context.Background(), f.acc[role].Actor())
		if err != nil || len(pending) != 1 {
			f.t.Fatalf("pending checks of %s: %v %v", role, pending, err)
		}
		*f.autumnChallenge = pending[0].Challenge.ID
	}
	return *f.autumnChallenge
}

// frHookURL is where FR's administrator sends events; no other owner may
// see it.
const frHookURL = "https://soc.fr-cert.test.invalid/detente-events"

// freshHook subscribes a new URL of FR's, for a request that changes it.
func (f *fixture) freshHook() string {
	f.t.Helper()
	*f.seq++
	sub, _, err := f.app.Webhooks.Create(context.Background(), f.acc[frAdmin].Actor(), webhook.Input{
		URL: fmt.Sprintf("%s/%d", frHookURL, *f.seq), Events: []string{webhook.MessageReceived}})
	if err != nil {
		f.t.Fatalf("webhook: %v", err)
	}
	return sub.ID
}

func (f *fixture) drain() {
	f.t.Helper()
	if _, err := f.app.Jobs.RunDue(context.Background(), 100); err != nil {
		f.t.Fatal(err)
	}
}

func engines(t *testing.T, fn func(t *testing.T, f *fixture)) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		// The fixture opens its own database through app.Open, as the
		// server does; db only tells which engine to use.
		fn(t, newFixture(t, db.Engine))
	})
}
