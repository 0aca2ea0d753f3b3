package exercise_test

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/audit"
	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/exercise"
	"github.com/detente/detente/internal/jobs"
	"github.com/detente/detente/internal/messaging"
	"github.com/detente/detente/internal/scenario"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/tlp"
)

// scenarios is an in-memory scenario service: every version of each
// scenario, readable by anyone signed in.
type scenarios struct {
	byID map[string][]scenario.Scenario
}

func (s scenarios) Scenario(_ context.Context, a actor.Actor, id string, version int) (scenario.Scenario, error) {
	if !a.Authenticated() {
		return scenario.Scenario{}, errs.E(errs.Unauthenticated, "please sign in")
	}
	vs := s.byID[id]
	if len(vs) == 0 {
		return scenario.Scenario{}, errs.E(errs.NotFound, "no such scenario")
	}
	if version == 0 {
		return vs[len(vs)-1], nil
	}
	for _, v := range vs {
		if v.Version == version {
			return v, nil
		}
	}
	return scenario.Scenario{}, errs.E(errs.NotFound, "no such scenario")
}

// mailbox records what the service asks to mail, as notify would.
type mailbox struct {
	mu      sync.Mutex
	mails   []sent
	invites []invited
}

// invited is one invitation mail: the run as it was mailed.
type invited struct {
	run  exercise.Run
	kind exercise.InviteKind
	poc  exercise.POC
}

func (b *mailbox) EnqueueExerciseInvitations(_ context.Context, _ *sql.Tx, r exercise.Run, kind exercise.InviteKind, pocs []exercise.POC) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, p := range pocs {
		b.invites = append(b.invites, invited{r, kind, p})
	}
	return nil
}

func (b *mailbox) takeInvites() []invited {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := b.invites
	b.invites = nil
	return out
}

type sent struct {
	run    string
	inject string
	mail   exercise.Mail
}

func (b *mailbox) EnqueueExerciseMails(_ context.Context, _ *sql.Tx, r exercise.Run, inj scenario.Inject, mails []exercise.Mail) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, ml := range mails {
		b.mails = append(b.mails, sent{r.ID, inj.Key, ml})
	}
	return nil
}

func (b *mailbox) take() []sent {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := b.mails
	b.mails = nil
	return out
}

// ransomware is a scenario of three roles: A is hit by ransomware and
// asks B for help; C watches. Two injects at the technical level and one
// at the diplomatic level.
func ransomware() scenario.Scenario {
	return scenario.Scenario{ID: "0193c1a0-0000-7000-8000-000000000001", Version: 2, Language: "en", Title: "Ransomware on a hospital network",
		Roles: []scenario.Role{{Key: "A", Name: "Affected State"}, {Key: "B", Name: "State asked for help"}, {Key: "C", Name: "Neighbour"}},
		Injects: []scenario.Inject{
			{Key: "i1", Offset: 0, Kind: scenario.Communication, Title: "Hospital reports encryption", FromSimulated: "National CERT",
				ToRoles: []string{"A", "C"}, ToLevel: scenario.Technical, Type: messaging.IncidentNotification, Urgency: messaging.Urgent,
				TLP: tlp.Amber, Subject: "Ransomware at Central Hospital", Body: "Encryption of patient records began at 04:10.",
				Expected: []scenario.Expectation{
					{Key: "ack", Action: scenario.Acknowledge, Within: 30 * time.Minute},
					{Key: "help", Action: scenario.RequestAssistance, Within: 2 * time.Hour, ToRole: "B"},
				}},
			{Key: "i2", Offset: time.Hour, Kind: scenario.Prompt, Title: "The grid operator is hit", Prompt: "Your CERT confirms the ransomware reached the grid operator.",
				ToRoles: []string{"A"}, ToLevel: scenario.Technical,
				Expected: []scenario.Expectation{{Key: "esc", Action: scenario.Escalate, Within: time.Hour}}},
			{Key: "i3", Offset: 2 * time.Hour, Kind: scenario.Communication, Title: "Request for assistance", FromRole: "A",
				ToRoles: []string{"B"}, ToLevel: scenario.Technical, Type: messaging.AssistanceRequest, Urgency: messaging.Priority, TLP: tlp.Green,
				Subject: "Assistance with decryption", Body: "Please share indicators.", Fields: map[string]string{"requested_action": "share indicators"},
				Expected: []scenario.Expectation{{Key: "answer", Action: scenario.ReplyWithFields, Within: time.Hour, Fields: []string{"status"}}}},
		},
		Duration: 4 * time.Hour}
}

// bilateral is a scenario of two roles: a DDoS from B's territory
// against A, which asks B to mitigate it.
func bilateral() scenario.Scenario {
	return scenario.Scenario{ID: "0193c1a0-0000-7000-8000-000000000002", Version: 1, Language: "en", Title: "DDoS from a neighbour's territory",
		Roles: []scenario.Role{{Key: "A", Name: "Targeted State"}, {Key: "B", Name: "State of origin"}},
		Injects: []scenario.Inject{{Key: "m1", Offset: 10 * time.Minute, Kind: scenario.Communication, Title: "Request to mitigate", FromRole: "A",
			ToRoles: []string{"B"}, ToLevel: scenario.Technical, Type: messaging.MitigationRequest, Urgency: messaging.Urgent, TLP: tlp.Green,
			Subject: "DDoS from addresses in your territory", Body: "Traffic from 198.51.100.0/24.",
			Expected: []scenario.Expectation{{Key: "ack", Action: scenario.Acknowledge, Within: 15 * time.Minute}}}},
		Duration: time.Hour}
}

// env: FR, KE, DE and JP participate, NZ does not. Each participating
// State has an administrator, a POC account linked to its technical entry
// and a viewer; KE has a POC account linked to nothing (kepoc2) and a
// policy entry.
type env struct {
	db    *store.DB
	svc   *exercise.Service
	clock *clock.Fixed
	jobs  *jobs.Queue
	box   *mailbox
	who   map[string]actor.Actor
	pocs  map[string]string
	audit *audit.Log
	dir   *directory.System
	scen  scenarios
}

var everyone = []string{"anon", "sec", "fradmin", "frpoc", "frviewer", "keadmin", "kepoc", "kepoc2", "keviewer", "deadmin", "depoc",
	"deviewer", "jpadmin", "jppoc", "jpviewer", "nzpoc"}

func newEnv(t testing.TB, db *store.DB) *env {
	t.Helper()
	ctx := context.Background()
	c := clock.NewFixed(time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC))
	log := audit.New(db, c)
	cfg := access.DefaultConfig()
	cfg.Argon2 = access.Argon2{MemoryKiB: 1024, Time: 1, Threads: 1}
	acc := access.New(db, log, c, cfg)
	dir := directory.New(db, log, c, directory.DefaultConfig(), access.NewSystem(acc))
	if err := dir.SyncStates(ctx); err != nil {
		t.Fatal(err)
	}
	since := c.Now().AddDate(-1, 0, 0)
	for _, st := range []string{"FR", "KE", "DE", "JP"} {
		if err := dir.SetParticipation(ctx, actor.Operator, st, &since); err != nil {
			t.Fatal(err)
		}
	}
	e := &env{db: db, clock: c, box: &mailbox{}, who: map[string]actor.Actor{"anon": actor.Anonymous}, pocs: map[string]string{}, audit: log}
	for _, key := range everyone[1:] {
		role, state := actor.POC, ""
		switch {
		case key == "sec":
			role = actor.Secretariat
		case key[2:] == "admin":
			role, state = actor.StateAdmin, upper(key[:2])
		case key[2:] == "viewer":
			role, state = actor.Viewer, upper(key[:2])
		default:
			state = upper(key[:2])
		}
		a, _, err := acc.CreateAccount(ctx, actor.Operator, access.NewAccount{Email: key + "@test.invalid", DisplayName: key, Role: role, State: state, Password: "long enough password"})
		if err != nil {
			t.Fatal(err)
		}
		e.who[key] = a.Actor()
	}
	for _, p := range []struct {
		name, state, account string
		level                directory.Level
	}{
		{"fr-tech", "FR", "frpoc", directory.Technical},
		{"ke-tech", "KE", "kepoc", directory.Technical},
		{"ke-tech2", "KE", "", directory.Technical},
		{"ke-policy", "KE", "", directory.Policy},
		{"de-tech", "DE", "depoc", directory.Technical},
		{"jp-tech", "JP", "jppoc", directory.Technical},
	} {
		admin := e.who[lower(p.state)+"admin"]
		in := directory.POCInput{Level: p.level, FunctionTitle: "Duty officer " + p.name, Organisation: "CERT",
			Emails: []string{p.name + "@cert.test.invalid"}, Phones: []string{"+41 22 000 0000"}, Languages: []string{"en"},
			TimeZone: "Europe/Zurich", Availability: directory.Always}
		if p.account != "" {
			in.AccountID = e.who[p.account].AccountID
		}
		poc, err := dir.Nominate(ctx, admin, p.state, in)
		if err != nil {
			t.Fatalf("nominate %s: %v", p.name, err)
		}
		e.pocs[p.name] = poc.ID
	}
	sc := ransomware()
	v1 := sc
	v1.Version, v1.Title = 1, "Ransomware (first draft)"
	e.scen = scenarios{byID: map[string][]scenario.Scenario{sc.ID: {v1, sc}, bilateral().ID: {bilateral()}}}
	e.dir = directory.NewSystem(dir)
	e.svc = exercise.New(db, log, c, e.scen, e.dir, e.box, exercise.Config{BaseURL: "https://detente.test.invalid", From: "directory@detente.test.invalid"})
	e.jobs = jobs.NewQueue(db, c, slog.New(slog.NewTextHandler(io.Discard, nil)), jobs.Options{})
	e.svc.Register(e.jobs)
	return e
}

func upper(s string) string {
	b := []byte(s)
	for k := range b {
		b[k] -= 'a' - 'A'
	}
	return string(b)
}

func lower(s string) string {
	b := []byte(s)
	for k := range b {
		b[k] += 'a' - 'A'
	}
	return string(b)
}

// run performs the jobs due now.
func (e *env) run(t testing.TB) {
	t.Helper()
	if _, err := e.jobs.RunDue(context.Background(), 20); err != nil {
		t.Fatal(err)
	}
}

// input plays the ransomware scenario with FR as A, KE as B and DE as C,
// at the technical level, twelve times faster than real time.
func (e *env) input() exercise.Input {
	return exercise.Input{ScenarioID: ransomware().ID, Title: "Cross-border ransomware 2027",
		Assignments: []exercise.Assignment{{Role: "A", State: "FR"}, {Role: "B", State: "KE"}, {Role: "C", State: "DE"}},
		Levels:      []scenario.Level{scenario.Technical}, Factor: 12}
}

func (e *env) create(t testing.TB, who string, in exercise.Input) exercise.Run {
	t.Helper()
	r, err := e.svc.Create(context.Background(), e.who[who], in)
	if err != nil {
		t.Fatalf("create as %s: %v", who, err)
	}
	return r
}

// advance moves the wall clock by d and runs the jobs then due.
func (e *env) advance(t testing.TB, d time.Duration) {
	t.Helper()
	e.clock.Advance(d)
	e.run(t)
}

func injectsOf(ms []sent) map[string][]string {
	out := map[string][]string{}
	for _, m := range ms {
		out[m.inject] = append(out[m.inject], m.mail.POC.ID)
	}
	for k := range out {
		slices.Sort(out[k])
	}
	return out
}

func count(t testing.TB, db *store.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.R.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
