package access_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"mime/quotedprintable"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/audit"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
)

func TestSignInFloodFromOneAddressLeavesOthersIn(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		e.create(t, "poc@fr.invalid", actor.POC, "FR")
		e.create(t, "viewer@fr.invalid", actor.Viewer, "FR")
		// One address hammers one account, then every account it can name.
		for i := 0; i < 30; i++ {
			email := "poc@fr.invalid"
			if i >= 10 {
				email = fmt.Sprintf("guess%d@fr.invalid", i)
			}
			if _, _, err := e.svc.SignIn(ctx, email, "not the password", "203.0.113.66", "t"); err == nil {
				t.Fatal("a wrong password signed in")
			}
		}
		if _, _, err := e.svc.SignIn(ctx, "viewer@fr.invalid", pw, "203.0.113.66", "t"); !errs.Is(err, errs.TooMany) {
			t.Fatalf("the flooding address = %v, want too many", err)
		}
		for _, email := range []string{"poc@fr.invalid", "viewer@fr.invalid"} {
			if _, _, err := e.svc.SignIn(ctx, email, pw, "198.51.100.20", "t"); err != nil {
				t.Errorf("%s from another address = %v, want a session", email, err)
			}
		}
	})
}

func TestSignInUnderAttackFromManyAddresses(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		e.create(t, "poc@fr.invalid", actor.POC, "FR")
		// A botnet: one guess per address, many addresses.
		for i := 0; i < access.DefaultConfig().MaxFailsUnderAttack; i++ {
			if _, _, err := e.svc.SignIn(ctx, "poc@fr.invalid", "guess", fmt.Sprintf("203.0.113.%d", i), "t"); !errs.Is(err, errs.Unauthenticated) {
				t.Fatalf("guess %d: %v", i, err)
			}
		}
		// Each of those addresses is now refused, even with the right password...
		if _, _, err := e.svc.SignIn(ctx, "poc@fr.invalid", pw, "203.0.113.7", "t"); !errs.Is(err, errs.TooMany) {
			t.Fatalf("a guessing address under attack = %v, want too many", err)
		}
		// ...while an address with no failures on the account gets in.
		if _, _, err := e.svc.SignIn(ctx, "poc@fr.invalid", pw, "198.51.100.20", "t"); err != nil {
			t.Fatalf("the owner from a clean address = %v, want a session", err)
		}
	})
}

func TestSignInWindowSlides(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		e.create(t, "poc@fr.invalid", actor.POC, "FR")
		// Fail just before a quarter hour: a window that reset on the
		// clock would forget these failures two minutes later.
		e.clock.Advance(14*time.Minute + 30*time.Second) // 12:14:30
		for i := 0; i < 5; i++ {
			if _, _, err := e.svc.SignIn(ctx, "poc@fr.invalid", "wrong", "192.0.2.1", "t"); !errs.Is(err, errs.Unauthenticated) {
				t.Fatalf("attempt %d: %v", i, err)
			}
		}
		for _, step := range []struct {
			advance time.Duration
			allowed bool
		}{
			{2 * time.Minute, false},  // 12:16:30, past the quarter hour
			{12 * time.Minute, false}, // 12:28:30, 14 minutes after
			{time.Minute, true},       // 12:29:30, the failures' minute has left the window
		} {
			e.clock.Advance(step.advance)
			_, _, err := e.svc.SignIn(ctx, "poc@fr.invalid", pw, "192.0.2.1", "t")
			if step.allowed && err != nil {
				t.Fatalf("at %s: %v, want a session", e.clock.Now().Format("15:04:05"), err)
			}
			if !step.allowed && !errs.Is(err, errs.TooMany) {
				t.Fatalf("at %s: %v, want too many", e.clock.Now().Format("15:04:05"), err)
			}
		}
	})
}

// outbox records the mails the service queues.
type outbox struct {
	mu   sync.Mutex
	sent []string
}

func (o *outbox) Mail(_ context.Context, _ *sql.Tx, _ time.Time, to []string, raw []byte, _ string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.sent = append(o.sent, strings.Join(to, ",")+"\n"+string(raw))
	return nil
}

// linkToken takes the token out of the reset mail's link.
func linkToken(t *testing.T, mail string) string {
	t.Helper()
	_, body, _ := strings.Cut(mail, "\r\n\r\n")
	text, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(body)))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(text), "https://detente.test.invalid/reset/")
	if !ok {
		t.Fatalf("no reset link in the mail:\n%s", mail)
	}
	return strings.Fields(rest)[0]
}

func TestResetAccountAuthorization(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		sec := e.create(t, "sec@un.invalid", actor.Secretariat, "")
		fradmin := e.create(t, "admin@fr.invalid", actor.StateAdmin, "FR")
		keadmin := e.create(t, "admin@ke.invalid", actor.StateAdmin, "KE")
		frpoc := e.create(t, "poc@fr.invalid", actor.POC, "FR")
		frviewer := e.create(t, "viewer@fr.invalid", actor.Viewer, "FR")
		target := e.create(t, "lost@fr.invalid", actor.POC, "FR")
		roSecret, _, err := e.svc.CreateToken(ctx, fradmin.Actor(), "ro", []actor.Scope{actor.ScopeRead}, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		ro, err := e.svc.TokenActor(ctx, roSecret)
		if err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name string
			who  actor.Actor
			id   string
			want errs.Code // "" for success
		}{
			{"anonymous", actor.Anonymous, target.ID, errs.Unauthenticated},
			{"a POC of the State", frpoc.Actor(), target.ID, errs.Forbidden},
			{"a viewer of the State", frviewer.Actor(), target.ID, errs.Forbidden},
			{"a read-only token of the State's admin", ro, target.ID, errs.Forbidden},
			{"another State's admin", keadmin.Actor(), target.ID, errs.NotFound},
			{"the State's admin on a secretariat account", fradmin.Actor(), sec.ID, errs.NotFound},
			{"an admin on their own account", fradmin.Actor(), fradmin.ID, errs.Conflict},
			{"an unknown account", sec.Actor(), "no-such-id", errs.NotFound},
			{"the State's admin", fradmin.Actor(), target.ID, ""},
			{"the secretariat", sec.Actor(), target.ID, ""},
			{"the operator", actor.Operator, target.ID, ""},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				res, err := e.svc.ResetAccount(ctx, tc.who, tc.id)
				if tc.want == "" {
					if err != nil || res.Link == "" || res.Mailed {
						t.Fatalf("reset = %+v, %v; want a link to hand over (no outbox)", res, err)
					}
					return
				}
				if !errs.Is(err, tc.want) {
					t.Fatalf("reset = %v, want %s", err, tc.want)
				}
				if res.Link != "" {
					t.Fatal("a refused reset returned a link")
				}
			})
		}
		var resets int
		entries, _ := e.log.List(ctx, actor.Operator, audit.Filter{ObjectID: target.ID, Limit: 50})
		for _, en := range entries {
			if en.Action == "account.reset" {
				resets++
			}
		}
		if resets != 3 {
			t.Fatalf("audit has %d resets, want 3", resets)
		}
	})
}

func TestResetAccountGetsThePersonBackIn(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		box := &outbox{}
		cfg := access.DefaultConfig()
		cfg.Argon2 = access.Argon2{MemoryKiB: 1024, Time: 1, Threads: 1}
		cfg.BaseURL, cfg.MailFrom, cfg.Outbox, cfg.Text = "https://detente.test.invalid", "detente@detente.test.invalid", box, catalogue(t)
		svc := access.New(db, e.log, e.clock, cfg)
		sec := e.create(t, "sec@un.invalid", actor.Secretariat, "")
		// A POC who chose a second factor, and has a session and a token.
		acc := e.create(t, "poc@fr.invalid", actor.POC, "FR")
		sessTok, _, err := svc.SignIn(ctx, acc.Email, pw, "192.0.2.1", "t")
		if err != nil {
			t.Fatal(err)
		}
		enrol, err := svc.BeginTOTP(ctx, sessTok)
		if err != nil {
			t.Fatal(err)
		}
		code, _ := access.TOTPCode(enrol.Secret, e.clock.Now())
		if sessTok, _, err = svc.CompleteTOTP(ctx, sessTok, code); err != nil {
			t.Fatal(err)
		}
		apiTok, _, err := svc.CreateToken(ctx, acc.Actor(), "script", []actor.Scope{actor.ScopeRead, actor.ScopeWrite}, 24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}

		first, err := svc.ResetAccount(ctx, sec.Actor(), acc.ID)
		if err != nil || !first.Mailed || first.Link != "" {
			t.Fatalf("first reset = %+v, %v; want it mailed, no link returned", first, err)
		}
		if _, err := svc.ResetAccount(ctx, sec.Actor(), acc.ID); err != nil {
			t.Fatal(err)
		}
		if len(box.sent) != 2 || !strings.HasPrefix(box.sent[1], acc.Email+"\n") {
			t.Fatalf("mails queued: %d, want 2 to %s", len(box.sent), acc.Email)
		}
		oldLink, link := linkToken(t, box.sent[0]), linkToken(t, box.sent[1])
		if _, err := svc.Session(ctx, sessTok); err == nil {
			t.Error("a session from before the reset still works")
		}
		if _, err := svc.TokenActor(ctx, apiTok); !errs.Is(err, errs.Unauthenticated) {
			t.Errorf("an API token from before the reset still works: %v", err)
		}
		if _, _, err := svc.SignIn(ctx, acc.Email, pw, "192.0.2.1", "t"); !errs.Is(err, errs.Unauthenticated) {
			t.Errorf("the old password still signs in: %v", err)
		}
		if _, err := svc.ResetFor(ctx, oldLink); !errs.Is(err, errs.NotFound) {
			t.Errorf("the link of the first reset still works after a second: %v", err)
		}
		if got, err := svc.ResetFor(ctx, link); err != nil || got.ID != acc.ID || got.TOTPEnabled || !got.TOTPReenrol {
			t.Fatalf("reset account = %+v, %v; want its second factor gone and due again", got, err)
		}

		const next = "a brand new passphrase"
		for _, bad := range []struct{ pw, repeat, field string }{
			{next, next + "!", "password2"},
			{"short", "short", "password"},
			{"", "", "password"},
		} {
			if _, _, err := svc.CompleteReset(ctx, link, bad.pw, bad.repeat, "192.0.2.1", "t"); errs.FieldsOf(err)[bad.field] == "" {
				t.Errorf("CompleteReset(%q, %q) = %v, want an error on %s", bad.pw, bad.repeat, err, bad.field)
			}
		}
		tok, sess, err := svc.CompleteReset(ctx, link, next, next, "192.0.2.1", "t")
		if err != nil {
			t.Fatal(err)
		}
		// Signed in, but not able to act until a new factor is enrolled.
		if sess.Complete() || sess.Actor().Authenticated() {
			t.Fatal("the session after a reset acts before a new second factor is enrolled")
		}
		if _, _, err := svc.CompleteReset(ctx, link, next, next, "192.0.2.1", "t"); !errs.Is(err, errs.NotFound) {
			t.Fatalf("the link worked twice: %v", err)
		}
		enrol, err = svc.BeginTOTP(ctx, tok)
		if err != nil || enrol.Secret == "" {
			t.Fatalf("enrolment after reset: %v", err)
		}
		e.clock.Advance(time.Minute)
		code, _ = access.TOTPCode(enrol.Secret, e.clock.Now())
		if _, sess, err = svc.CompleteTOTP(ctx, tok, code); err != nil || !sess.Complete() {
			t.Fatalf("new second factor: %v", err)
		}
		// The new password, and only it, signs in.
		if _, _, err := svc.SignIn(ctx, acc.Email, next, "192.0.2.1", "t"); err != nil {
			t.Fatalf("the new password: %v", err)
		}
		var actions []string
		entries, _ := e.log.List(ctx, actor.Operator, audit.Filter{ObjectID: acc.ID, Limit: 50})
		for _, en := range entries {
			actions = append(actions, en.Action)
		}
		for _, want := range []string{"account.reset", "account.reset_completed", "account.totp_enrolled"} {
			if !strings.Contains(strings.Join(actions, " "), want) {
				t.Errorf("audit lacks %s: %v", want, actions)
			}
		}
		// An expired link is as good as none.
		if _, err := svc.ResetAccount(ctx, sec.Actor(), acc.ID); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(access.ResetLifetime + time.Minute)
		if _, _, err := svc.CompleteReset(ctx, linkToken(t, box.sent[2]), next, next, "192.0.2.1", "t"); !errs.Is(err, errs.NotFound) {
			t.Fatalf("an expired link: %v", err)
		}
	})
}

func TestPasswordsAreTypedTwice(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		acc := e.create(t, "poc@fr.invalid", actor.POC, "FR")
		const next = "another long passphrase"
		if err := e.svc.ChangePassword(ctx, acc.Actor(), pw, next, next+" "); errs.FieldsOf(err)["new_password2"] == "" {
			t.Fatalf("differing new passwords: %v", err)
		}
		if _, _, err := e.svc.SignIn(ctx, acc.Email, next, "192.0.2.1", "t"); err == nil {
			t.Fatal("a refused change took effect")
		}
		if err := e.svc.ChangePassword(ctx, acc.Actor(), pw, next, next); err != nil {
			t.Fatal(err)
		}
		repeat := "not the same"
		_, _, err := e.svc.CreateAccount(ctx, actor.Operator, access.NewAccount{Email: "new@fr.invalid", DisplayName: "New", Role: actor.Viewer, State: "FR", Password: next, Repeat: &repeat})
		if errs.FieldsOf(err)["password2"] == "" {
			t.Fatalf("differing initial passwords: %v", err)
		}
	})
}

func TestFirstAdminOnceUnderARace(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		// Instances starting together on one empty database, each with its
		// own service and perhaps told different addresses. The race is
		// narrow, so it is run several times from the same starting line.
		const instances, rounds = 4, 10
		svcs := make([]*access.Service, instances)
		for i := range svcs {
			cfg := access.DefaultConfig()
			cfg.Argon2 = access.Argon2{MemoryKiB: 1024, Time: 1, Threads: 1}
			svcs[i] = access.New(db, e.log, e.clock, cfg)
		}
		for round := range rounds {
			if _, err := db.W.Exec(`DELETE FROM accounts`); err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			start := make(chan struct{})
			created := make([]bool, instances)
			errors := make([]error, instances)
			for i := range instances {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					_, _, created[i], errors[i] = access.NewSystem(svcs[i]).FirstAdmin(ctx, fmt.Sprintf("admin%d@detente.invalid", i))
				}()
			}
			close(start)
			wg.Wait()
			n := 0
			for i, err := range errors {
				if err != nil {
					t.Errorf("round %d, instance %d: %v", round, i, err)
				}
				if created[i] {
					n++
				}
			}
			if n != 1 {
				t.Errorf("round %d: %d instances created an administrator, want 1", round, n)
			}
			if got := count(t, db, "accounts"); got != 1 {
				t.Fatalf("round %d: %d accounts, want 1", round, got)
			}
		}
		// Later starts leave things as they are.
		if _, pw, created, err := access.NewSystem(e.svc).FirstAdmin(ctx, "admin@detente.invalid"); err != nil || created || pw != "" {
			t.Errorf("a later start: created %v, %v", created, err)
		}
	})
}

func TestPurgeExpiredKeepsWhatStillCounts(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		acc := e.create(t, "poc@fr.invalid", actor.POC, "FR")
		for i := 0; i < 5; i++ {
			e.svc.SignIn(ctx, acc.Email, "wrong", "192.0.2.1", "t")
		}
		if _, err := e.svc.ResetAccount(ctx, actor.Operator, acc.ID); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(10 * time.Minute)
		if err := access.NewSystem(e.svc).PurgeExpired(ctx); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.svc.SignIn(ctx, acc.Email, "wrong", "192.0.2.1", "t"); !errs.Is(err, errs.TooMany) {
			t.Fatalf("purging forgot failures still in the window: %v", err)
		}
		if n := count(t, db, "account_resets"); n != 1 {
			t.Fatalf("purging dropped a live reset link: %d left", n)
		}
		e.clock.Advance(access.ResetLifetime)
		if err := access.NewSystem(e.svc).PurgeExpired(ctx); err != nil {
			t.Fatal(err)
		}
		if n, m := count(t, db, "login_failures"), count(t, db, "account_resets"); n != 0 || m != 0 {
			t.Fatalf("after a day: %d throttle rows and %d reset links left, want none", n, m)
		}
	})
}

func TestSignInStoresAnyUserAgent(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		acc := e.create(t, "poc@fr.invalid", actor.POC, "FR")
		for _, ua := range []string{"Mozilla\xff\xfe", strings.Repeat("a", 299) + "é", strings.Repeat("é", 400), "nul\x00byte"} {
			if _, _, err := e.svc.SignIn(ctx, acc.Email, pw, "192.0.2.1", ua); err != nil {
				t.Errorf("user agent %q: %v", ua, err)
			}
		}
	})
}

func TestMetricsTokens(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		sec := e.create(t, "sec@un.invalid", actor.Secretariat, "").Actor()
		admin := e.create(t, "admin@fr.invalid", actor.StateAdmin, "FR").Actor()
		if _, _, err := e.svc.CreateToken(ctx, admin, "scraper", []actor.Scope{access.ScopeMetrics}, time.Hour); errs.FieldsOf(err)["scopes"] == "" {
			t.Fatalf("a State admin got a metrics token: %v", err)
		}
		metrics, _, err := e.svc.CreateToken(ctx, sec, "scraper", []actor.Scope{access.ScopeMetrics}, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		read, _, err := e.svc.CreateToken(ctx, sec, "reader", []actor.Scope{actor.ScopeRead}, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.CheckMetricsToken(ctx, metrics); err != nil {
			t.Fatalf("metrics token: %v", err)
		}
		if err := e.svc.CheckMetricsToken(ctx, read); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("a read token reads metrics: %v", err)
		}
		if err := e.svc.CheckMetricsToken(ctx, "dtt_nonsense"); !errs.Is(err, errs.Unauthenticated) {
			t.Fatalf("an unknown token reads metrics: %v", err)
		}
		// A metrics token is not an API token.
		if _, err := e.svc.TokenActor(ctx, metrics); !errs.Is(err, errs.Unauthenticated) {
			t.Fatalf("a metrics token reads the API: %v", err)
		}
	})
}
