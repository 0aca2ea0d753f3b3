package access_test

import (
	"context"
	"testing"
	"time"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/audit"
	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
)

const pw = "correct horse battery staple"

type env struct {
	db    *store.DB
	svc   *access.Service
	clock *clock.Fixed
	log   *audit.Log
}

func newEnv(t *testing.T, db *store.DB) env {
	t.Helper()
	c := clock.NewFixed(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	log := audit.New(db, c)
	if err := directory.New(db, log, c, directory.DefaultConfig(), nil).SyncStates(context.Background()); err != nil {
		t.Fatal(err)
	}
	cfg := access.DefaultConfig()
	cfg.Argon2 = access.Argon2{MemoryKiB: 1024, Time: 1, Threads: 1}
	return env{db: db, svc: access.New(db, log, c, cfg), clock: c, log: log}
}

func (e env) create(t *testing.T, email string, role actor.Role, state string) access.Account {
	t.Helper()
	acc, _, err := e.svc.CreateAccount(context.Background(), actor.Operator, access.NewAccount{Email: email, DisplayName: email, Role: role, State: state, Password: pw})
	if err != nil {
		t.Fatalf("create %s: %v", email, err)
	}
	return acc
}

func count(t *testing.T, db *store.DB, table string) int {
	t.Helper()
	var n int
	if err := db.R.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestPasswordHash(t *testing.T) {
	p := access.Argon2{MemoryKiB: 1024, Time: 1, Threads: 1}
	h, err := p.HashPassword("s3cret passphrase")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		hash string
		pw   string
		ok   bool
		err  bool
	}{
		{"right password", h, "s3cret passphrase", true, false},
		{"wrong password", h, "s3cret passphrasE", false, false},
		{"not argon2id", "$2a$10$abcdefghijklmnopqrstuv", "x", false, true},
		{"truncated", h[:20], "x", false, true},
		{"absurd memory cost", "$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g", "x", false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ok, err := access.CheckPassword(tc.hash, tc.pw)
			if ok != tc.ok || (err != nil) != tc.err {
				t.Fatalf("CheckPassword = %v, %v; want %v, err %v", ok, err, tc.ok, tc.err)
			}
		})
	}
	h2, _ := p.HashPassword("s3cret passphrase")
	if h2 == h {
		t.Fatal("two hashes of one password are equal: salt missing")
	}
}

func TestTOTPCodeMatchesRFC6238(t *testing.T) {
	// RFC 6238 appendix B, SHA-1 rows, truncated to 6 digits.
	secret := "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" // "12345678901234567890"
	tests := []struct {
		unix int64
		want string
	}{{59, "287082"}, {1111111109, "081804"}, {1111111111, "050471"}, {1234567890, "005924"}, {2000000000, "279037"}}
	for _, tc := range tests {
		got, err := access.TOTPCode(secret, time.Unix(tc.unix, 0))
		if err != nil || got != tc.want {
			t.Errorf("TOTPCode at %d = %q, %v; want %q", tc.unix, got, err, tc.want)
		}
	}
}

func TestCreateAccountAuthorization(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		fradmin := e.create(t, "admin@fr.invalid", actor.StateAdmin, "FR").Actor()
		frpoc := e.create(t, "poc@fr.invalid", actor.POC, "FR").Actor()
		sec := e.create(t, "sec@un.invalid", actor.Secretariat, "").Actor()
		tests := []struct {
			name string
			by   actor.Actor
			role actor.Role
			st   string
			want errs.Code
		}{
			{"secretariat creates a secretariat account", sec, actor.Secretariat, "", ""},
			{"secretariat creates another State's admin", sec, actor.StateAdmin, "KE", ""},
			{"state admin creates own State's POC", fradmin, actor.POC, "FR", ""},
			{"state admin creates own State's admin", fradmin, actor.StateAdmin, "FR", ""},
			{"state admin may not create for another State", fradmin, actor.POC, "KE", errs.Forbidden},
			{"state admin may not create secretariat", fradmin, actor.Secretariat, "", errs.Forbidden},
			{"poc may not create accounts", frpoc, actor.Viewer, "FR", errs.Forbidden},
			{"anonymous may not create accounts", actor.Anonymous, actor.Viewer, "FR", errs.Unauthenticated},
		}
		for i, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				before := count(t, db, "accounts")
				_, _, err := e.svc.CreateAccount(context.Background(), tc.by, access.NewAccount{
					Email: "new" + string(rune('a'+i)) + "@example.invalid", DisplayName: "New", Role: tc.role, State: tc.st})
				if got := errs.CodeOf(err); got != tc.want {
					t.Fatalf("code = %q (%v), want %q", got, err, tc.want)
				}
				if after := count(t, db, "accounts"); tc.want != "" && after != before {
					t.Fatalf("refused creation still wrote an account (%d → %d)", before, after)
				}
			})
		}
	})
}

func TestCreateAccountValidation(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.create(t, "taken@fr.invalid", actor.POC, "FR")
		tests := []struct {
			name  string
			in    access.NewAccount
			field string
		}{
			{"malformed email", access.NewAccount{Email: "not an email", DisplayName: "x", Role: actor.POC, State: "FR"}, "email"},
			{"missing name", access.NewAccount{Email: "a@fr.invalid", Role: actor.POC, State: "FR"}, "display_name"},
			{"unknown role", access.NewAccount{Email: "a@fr.invalid", DisplayName: "x", Role: "king", State: "FR"}, "role"},
			{"unknown State", access.NewAccount{Email: "a@fr.invalid", DisplayName: "x", Role: actor.POC, State: "QQ"}, "state"},
			{"State missing", access.NewAccount{Email: "a@fr.invalid", DisplayName: "x", Role: actor.POC}, "state"},
			{"secretariat with a State", access.NewAccount{Email: "a@fr.invalid", DisplayName: "x", Role: actor.Secretariat, State: "FR"}, "state"},
			{"short password", access.NewAccount{Email: "a@fr.invalid", DisplayName: "x", Role: actor.POC, State: "FR", Password: "short"}, "password"},
			{"duplicate email, other case", access.NewAccount{Email: "Taken@FR.invalid", DisplayName: "x", Role: actor.POC, State: "FR"}, "email"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				before, audits := count(t, db, "accounts"), count(t, db, "audit_log")
				_, _, err := e.svc.CreateAccount(context.Background(), actor.Operator, tc.in)
				if errs.FieldsOf(err)[tc.field] == "" {
					t.Fatalf("err = %v; want a message for field %q", err, tc.field)
				}
				if count(t, db, "accounts") != before || count(t, db, "audit_log") != audits {
					t.Fatal("invalid input changed the database")
				}
			})
		}
	})
}

func TestSignInThrottlesAndAudits(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		e.create(t, "poc@fr.invalid", actor.POC, "FR")
		if _, _, err := e.svc.SignIn(ctx, "nobody@fr.invalid", pw, "192.0.2.1", "t"); !errs.Is(err, errs.Unauthenticated) {
			t.Fatalf("unknown email: %v", err)
		}
		for i := 0; i < 5; i++ {
			if _, _, err := e.svc.SignIn(ctx, "poc@fr.invalid", "wrong password!", "192.0.2.1", "t"); !errs.Is(err, errs.Unauthenticated) {
				t.Fatalf("attempt %d: %v", i, err)
			}
		}
		if _, _, err := e.svc.SignIn(ctx, "POC@fr.invalid", pw, "192.0.2.1", "t"); !errs.Is(err, errs.TooMany) {
			t.Fatalf("sixth attempt from the same address with the right password = %v, want too many", err)
		}
		// The owner elsewhere is not locked out by someone else's guesses.
		if _, _, err := e.svc.SignIn(ctx, "POC@fr.invalid", pw, "192.0.2.2", "t"); err != nil {
			t.Fatalf("the right password from another address = %v, want a session", err)
		}
		e.clock.Advance(16 * time.Minute)
		tok, sess, err := e.svc.SignIn(ctx, "poc@fr.invalid", pw, "192.0.2.1", "t")
		if err != nil || tok == "" || !sess.Complete() {
			t.Fatalf("after the window: %v", err)
		}
		entries, _ := e.log.List(ctx, actor.Operator, audit.Filter{Limit: 50})
		var ok, failed int
		for _, en := range entries {
			switch en.Action {
			case "account.sign_in":
				ok++
			case "account.sign_in_failed":
				failed++
			}
		}
		if ok != 2 || failed != 6 {
			t.Fatalf("audit has %d sign-ins and %d failures, want 2 and 6", ok, failed)
		}
	})
}

func TestSessionLifecycle(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		acc := e.create(t, "admin@fr.invalid", actor.StateAdmin, "FR")
		tok, sess, err := e.svc.SignIn(ctx, acc.Email, pw, "192.0.2.1", "t")
		if err != nil {
			t.Fatal(err)
		}
		if sess.Complete() || sess.Actor().Authenticated() {
			t.Fatal("a State admin without the second factor must not act")
		}
		enrol, err := e.svc.BeginTOTP(ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.svc.CompleteTOTP(ctx, tok, "000000"); !errs.Is(err, errs.Invalid) {
			t.Fatalf("wrong code: %v", err)
		}
		code, _ := access.TOTPCode(enrol.Secret, e.clock.Now())
		tok2, sess2, err := e.svc.CompleteTOTP(ctx, tok, code)
		if err != nil || !sess2.Complete() {
			t.Fatalf("right code: %v", err)
		}
		if _, err := e.svc.Session(ctx, tok); err == nil {
			t.Fatal("the pre-factor token still works after rotation")
		}
		if s, err := e.svc.Session(ctx, tok2); err != nil || !s.Complete() || s.Actor().State != "FR" {
			t.Fatalf("rotated session: %+v, %v", s, err)
		}
		// The same code cannot be used twice.
		tok3, _, err := e.svc.SignIn(ctx, acc.Email, pw, "192.0.2.1", "t")
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.svc.CompleteTOTP(ctx, tok3, code); !errs.Is(err, errs.Invalid) {
			t.Fatalf("replayed code: %v", err)
		}
		e.clock.Advance(61 * time.Minute)
		if _, err := e.svc.Session(ctx, tok2); !errs.Is(err, errs.Unauthenticated) {
			t.Fatalf("idle session still valid: %v", err)
		}
		if err := e.svc.SignOut(ctx, tok2); err != nil {
			t.Fatal(err)
		}
	})
}

func TestAPITokens(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		poc := e.create(t, "poc@fr.invalid", actor.POC, "FR").Actor()
		viewer := e.create(t, "viewer@fr.invalid", actor.Viewer, "FR").Actor()
		other := e.create(t, "poc@ke.invalid", actor.POC, "KE").Actor()

		rw, tok, err := e.svc.CreateToken(ctx, poc, "ticketing", []actor.Scope{actor.ScopeRead, actor.ScopeWrite}, 24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		ro, _, err := e.svc.CreateToken(ctx, poc, "dashboard", []actor.Scope{actor.ScopeRead}, 24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		var stored string
		if err := db.R.QueryRow(`SELECT token_hash FROM api_tokens WHERE id = $1`, tok.ID).Scan(&stored); err != nil || stored == rw {
			t.Fatalf("token stored in clear (%v)", err)
		}
		if a, err := e.svc.TokenActor(ctx, rw); err != nil || a.ReadOnly || a.AccountID != poc.AccountID {
			t.Fatalf("read-write token: %+v, %v", a, err)
		}
		if a, err := e.svc.TokenActor(ctx, ro); err != nil || !a.ReadOnly || a.RequireWrite() == nil {
			t.Fatalf("read-only token: %+v, %v", a, err)
		}
		if _, _, err := e.svc.CreateToken(ctx, viewer, "x", []actor.Scope{actor.ScopeWrite}, time.Hour); errs.FieldsOf(err)["scopes"] == "" {
			t.Fatalf("viewer got a write token: %v", err)
		}
		if _, _, err := e.svc.CreateToken(ctx, poc, "x", []actor.Scope{actor.ScopeRead}, 2*access.MaxTokenLifetime); errs.FieldsOf(err)["expires"] == "" {
			t.Fatalf("overlong token: %v", err)
		}
		// A token, even with the write scope, cannot mint a successor, and a
		// read-only token changes nothing.
		viaRW, _ := e.svc.TokenActor(ctx, rw)
		if _, _, err := e.svc.CreateToken(ctx, viaRW, "successor", []actor.Scope{actor.ScopeRead}, time.Hour); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("a token minted a token: %v", err)
		}
		viaRO, _ := e.svc.TokenActor(ctx, ro)
		if err := e.svc.RevokeToken(ctx, viaRO, tok.ID); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("a read-only token revoked a token: %v", err)
		}
		if _, _, err := e.svc.CreateToken(ctx, viewer, "mine", []actor.Scope{actor.ScopeRead}, time.Hour); err != nil {
			t.Fatalf("a viewer cannot create a read token from a session: %v", err)
		}
		if err := e.svc.RevokeToken(ctx, other, tok.ID); !errs.Is(err, errs.NotFound) {
			t.Fatalf("another State revoked the token: %v", err)
		}
		if err := e.svc.RevokeToken(ctx, poc, tok.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.TokenActor(ctx, rw); !errs.Is(err, errs.Unauthenticated) {
			t.Fatalf("revoked token works: %v", err)
		}
		e.clock.Advance(25 * time.Hour)
		if _, err := e.svc.TokenActor(ctx, ro); !errs.Is(err, errs.Unauthenticated) {
			t.Fatalf("expired token works: %v", err)
		}
		for _, bad := range []string{"", "dtt_", "Bearer x", "dtt_" + rw[4:] + "x"} {
			if _, err := e.svc.TokenActor(ctx, bad); !errs.Is(err, errs.Unauthenticated) {
				t.Fatalf("token %q: %v", bad, err)
			}
		}
	})
}

func TestDisabledAccountCannotSignIn(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		admin := e.create(t, "admin@fr.invalid", actor.StateAdmin, "FR").Actor()
		poc := e.create(t, "poc@fr.invalid", actor.POC, "FR")
		kepoc := e.create(t, "poc@ke.invalid", actor.POC, "KE")
		tok, _, err := e.svc.SignIn(ctx, poc.Email, pw, "192.0.2.1", "t")
		if err != nil {
			t.Fatal(err)
		}
		secret, _, err := e.svc.CreateToken(ctx, poc.Actor(), "script", []actor.Scope{actor.ScopeRead, actor.ScopeWrite}, 24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.SetDisabled(ctx, admin, kepoc.ID, true); !errs.Is(err, errs.NotFound) {
			t.Fatalf("FR admin disabled a KE account: %v", err)
		}
		if err := e.svc.SetDisabled(ctx, admin, poc.ID, true); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Session(ctx, tok); err == nil {
			t.Fatal("a disabled account's session survives")
		}
		if _, _, err := e.svc.SignIn(ctx, poc.Email, pw, "192.0.2.1", "t"); !errs.Is(err, errs.Unauthenticated) {
			t.Fatalf("disabled account signs in: %v", err)
		}
		// Enabling the account again brings back neither its sessions nor
		// its tokens: whoever held them must not regain access with it.
		if err := e.svc.SetDisabled(ctx, admin, poc.ID, false); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Session(ctx, tok); err == nil {
			t.Fatal("a session from before the account was disabled works again")
		}
		if _, err := e.svc.TokenActor(ctx, secret); !errs.Is(err, errs.Unauthenticated) {
			t.Fatalf("a token from before the account was disabled works again: %v", err)
		}
		toks, err := e.svc.Tokens(ctx, poc.Actor())
		if err != nil || len(toks) != 1 || toks[0].RevokedAt == nil {
			t.Fatalf("the token is not recorded as revoked: %+v, %v", toks, err)
		}
		if _, _, err := e.svc.SignIn(ctx, poc.Email, pw, "192.0.2.1", "t"); err != nil {
			t.Fatalf("the enabled account cannot sign in: %v", err)
		}
	})
}

func TestSignInThrottlesPerAddress(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		e.create(t, "poc@fr.invalid", actor.POC, "FR")
		// Spraying one password over many accounts from one address trips
		// the address limit although no account reaches its own.
		for i := 0; i < 20; i++ {
			email := "user" + string(rune('a'+i)) + "@fr.invalid"
			if _, _, err := e.svc.SignIn(ctx, email, "Winter2026!!", "198.51.100.7", "t"); !errs.Is(err, errs.Unauthenticated) {
				t.Fatalf("attempt %d: %v", i, err)
			}
		}
		if _, _, err := e.svc.SignIn(ctx, "poc@fr.invalid", pw, "198.51.100.7", "t"); !errs.Is(err, errs.TooMany) {
			t.Fatalf("21st attempt from the address = %v, want too many", err)
		}
		if _, _, err := e.svc.SignIn(ctx, "poc@fr.invalid", pw, "198.51.100.8", "t"); err != nil {
			t.Fatalf("another address is blocked too: %v", err)
		}
	})
}

func TestRevokeTokenAuthorization(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		acc := map[string]access.Account{
			"sec":      e.create(t, "sec@un.invalid", actor.Secretariat, ""),
			"fradmin":  e.create(t, "admin@fr.invalid", actor.StateAdmin, "FR"),
			"keadmin":  e.create(t, "admin@ke.invalid", actor.StateAdmin, "KE"),
			"frpoc":    e.create(t, "poc@fr.invalid", actor.POC, "FR"),
			"frviewer": e.create(t, "viewer@fr.invalid", actor.Viewer, "FR"),
		}
		// mint issues a token from a session, as the web interface does.
		mint := func(t *testing.T, who string, scopes ...actor.Scope) (string, access.Token) {
			t.Helper()
			secret, tok, err := e.svc.CreateToken(ctx, acc[who].Actor(), "test", scopes, time.Hour)
			if err != nil {
				t.Fatalf("token for %s: %v", who, err)
			}
			return secret, tok
		}
		session := func(who string) func(*testing.T) actor.Actor {
			return func(*testing.T) actor.Actor { return acc[who].Actor() }
		}
		viaToken := func(who string, scopes ...actor.Scope) func(*testing.T) actor.Actor {
			return func(t *testing.T) actor.Actor {
				secret, _ := mint(t, who, scopes...)
				a, err := e.svc.TokenActor(ctx, secret)
				if err != nil {
					t.Fatal(err)
				}
				return a
			}
		}
		read, write := actor.ScopeRead, actor.ScopeWrite
		tests := []struct {
			name  string
			owner string // whose token is revoked
			by    func(*testing.T) actor.Actor
			want  errs.Code
		}{
			{"POC, own token, from a session", "frpoc", session("frpoc"), ""},
			{"viewer, own token, from a session", "frviewer", session("frviewer"), ""},
			{"POC's write token, another token of its account", "frpoc", viaToken("frpoc", read, write), ""},
			{"POC's read-only token, another token of its account", "frpoc", viaToken("frpoc", read), errs.Forbidden},
			{"viewer's token, another token of its account", "frviewer", viaToken("frviewer", read), errs.Forbidden},
			{"State admin of the account's State, session", "frpoc", session("fradmin"), ""},
			{"State admin of the account's State, write token", "frpoc", viaToken("fradmin", read, write), ""},
			{"State admin of the account's State, read-only token", "frpoc", viaToken("fradmin", read), errs.Forbidden},
			{"secretariat, session", "frpoc", session("sec"), ""},
			{"secretariat, write token", "frviewer", viaToken("sec", read, write), ""},
			{"secretariat, read-only token", "frpoc", viaToken("sec", read), errs.Forbidden},
			{"another State's admin", "frpoc", session("keadmin"), errs.NotFound},
			{"same State, not an admin", "frpoc", session("frviewer"), errs.NotFound},
			{"State admin, a secretariat token", "sec", session("fradmin"), errs.NotFound},
			{"anonymous", "frpoc", func(*testing.T) actor.Actor { return actor.Anonymous }, errs.Unauthenticated},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				secret, tok := mint(t, tc.owner, read)
				by := tc.by(t)
				audits := count(t, db, "audit_log")
				err := e.svc.RevokeToken(ctx, by, tok.ID)
				if errs.CodeOf(err) != tc.want {
					t.Fatalf("RevokeToken = %v, want code %q", err, tc.want)
				}
				_, authErr := e.svc.TokenActor(ctx, secret)
				switch {
				case tc.want == "" && authErr == nil:
					t.Fatal("the revoked token still works")
				case tc.want == "" && count(t, db, "audit_log") != audits+1:
					t.Fatal("revocation not audited")
				case tc.want != "" && authErr != nil:
					t.Fatalf("a refused revocation ended the token: %v", authErr)
				case tc.want != "" && count(t, db, "audit_log") != audits:
					t.Fatal("a refused revocation was audited")
				}
			})
		}
		if err := e.svc.RevokeToken(ctx, acc["frpoc"].Actor(), "no-such-token"); !errs.Is(err, errs.NotFound) {
			t.Fatalf("unknown token: %v", err)
		}
	})
}

func TestCannotDisableOwnAccount(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		for _, acc := range []access.Account{
			e.create(t, "sec@un.invalid", actor.Secretariat, ""),
			e.create(t, "admin@fr.invalid", actor.StateAdmin, "FR"),
		} {
			t.Run(string(acc.Role), func(t *testing.T) {
				err := e.svc.SetDisabled(ctx, acc.Actor(), acc.ID, true)
				if !errs.Is(err, errs.Conflict) || len(errs.FieldsOf(err)) > 0 || errs.MessageOf(err) == "" {
					t.Fatalf("disabling oneself = %v, want a conflict with a message and no fields", err)
				}
				if _, _, err := e.svc.SignIn(ctx, acc.Email, pw, "192.0.2.1", "t"); err != nil {
					t.Fatalf("the account was disabled anyway: %v", err)
				}
			})
		}
	})
}
