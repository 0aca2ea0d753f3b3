package taxii_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/app"
	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/config"
	"github.com/detente/detente/internal/stix"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
	"github.com/detente/detente/internal/taxii"
)

// The callers every test speaks as, each with an API token of its account;
// ro is a read-only token of France's administrator.
const (
	sec      = "sec"      // the secretariat
	frAdmin  = "fradmin"  // France's State administrator
	frPOC    = "frpoc"    // a French POC
	frViewer = "frviewer" // French read-only staff
	kePOC    = "kepoc"    // another participating State's POC
	nzPOC    = "nzpoc"    // a POC of a State that does not participate
	readOnly = "ro"       // a read-only token of frAdmin
	anon     = "anon"     // no credentials
)

var roles = []string{sec, frAdmin, frPOC, frViewer, kePOC, nzPOC, readOnly, anon}

var epoch = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

type fixture struct {
	t     *testing.T
	app   *app.App
	svc   *taxii.Service
	srv   *httptest.Server
	token map[string]string
	acc   map[string]access.Account
	hc    *http.Client
}

// newFixture runs the TAXII server over a real database with France and
// Kenya participating and New Zealand not. lim bounds what a POST may
// carry (zero for the defaults).
func newFixture(t *testing.T, engine store.Engine, lim stix.Limits) *fixture {
	t.Helper()
	ctx := context.Background()
	cfg, err := config.Parse("test", nil, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Database = storetest.DSN(t, engine)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := app.Open(ctx, cfg, log, app.Options{Clock: clock.NewFixed(epoch), Argon2: &access.Argon2{MemoryKiB: 1024, Time: 1, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	for _, code := range []string{"FR", "KE"} {
		since := epoch.AddDate(-1, 0, 0)
		if err := a.Directory.SetParticipation(ctx, actor.Operator, code, &since); err != nil {
			t.Fatal(err)
		}
	}
	f := &fixture{t: t, app: a, token: map[string]string{}, acc: map[string]access.Account{}, hc: &http.Client{Timeout: 5 * time.Minute}}
	for _, x := range []struct {
		key, email string
		role       actor.Role
		state      string
	}{
		{sec, "sec@un.test.invalid", actor.Secretariat, ""},
		{frAdmin, "admin@fr.test.invalid", actor.StateAdmin, "FR"},
		{frPOC, "poc@fr.test.invalid", actor.POC, "FR"},
		{frViewer, "viewer@fr.test.invalid", actor.Viewer, "FR"},
		{kePOC, "poc@ke.test.invalid", actor.POC, "KE"},
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
	tcfg := taxii.DefaultConfig()
	if lim != (stix.Limits{}) {
		tcfg.Limits = lim
	}
	f.svc = taxii.New(a.DB, a.Audit, a.Clock, a.Directory, tcfg)
	f.srv = httptest.NewServer(taxii.NewServer(f.svc, a.Access, a.Text, log))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fixture) newToken(role string, scopes ...actor.Scope) string {
	f.t.Helper()
	secret, _, err := f.app.Access.CreateToken(context.Background(), f.acc[role].Actor(), "taxii "+role, scopes, 90*24*time.Hour)
	if err != nil {
		f.t.Fatalf("token for %s: %v", role, err)
	}
	return secret
}

// response is what came back.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("status %d, body %.300s: %v", r.status, r.body, err)
	}
}

// do sends a request as role with the TAXII media types, which opts may
// change.
func (f *fixture) do(t *testing.T, role, method, path string, body []byte, opts ...func(*http.Request)) response {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, f.srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", taxii.MediaTAXII)
	if body != nil {
		req.Header.Set("Content-Type", taxii.MediaTAXII)
	}
	if tok := f.token[role]; tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	for _, o := range opts {
		o(req)
	}
	res, err := f.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: b}
}

func header(k, v string) func(*http.Request) { return func(r *http.Request) { r.Header.Set(k, v) } }

func basic(user, pass string) func(*http.Request) {
	return header("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(user+":"+pass)))
}

// Paths of the fixture's collections.
var (
	publicPath = taxii.APIRoot + "collections/" + taxii.PublicID + "/"
	sharedPath = taxii.APIRoot + "collections/" + taxii.SharedID + "/"
	frPath     = taxii.APIRoot + "collections/" + taxii.StateCollectionID("FR") + "/"
	kePath     = taxii.APIRoot + "collections/" + taxii.StateCollectionID("KE") + "/"
	nzPath     = taxii.APIRoot + "collections/" + taxii.StateCollectionID("NZ") + "/"
)
