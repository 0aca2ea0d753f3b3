package dataset

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"math/rand/v2"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/app"
	"github.com/detente/detente/internal/audit"
	"github.com/detente/detente/internal/checks"
	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/demo"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/mail"
	"github.com/detente/detente/internal/messaging"
	"github.com/detente/detente/internal/tlp"
)

// featured are the demo's States with accounts; the benchmarks sign in as
// France's.
var featured = []string{"FR", "KE", "BR", "JP"}

// batch is how many calls share one moment of the clock; the calls of a
// batch run at once, and a batch starts when the previous one is done.
const batch = 256

// gen is one build in progress.
type gen struct {
	o       Options
	a       *app.App
	clock   *clock.Fixed
	box     *tokenBox
	out     io.Writer
	meta    Meta
	target  Target
	mu      sync.Mutex
	stats   map[string]*MethodStat
	states  []directory.State        // participating, by name
	senders map[string][]actor.Actor // accounts that may send, by State
	readers map[string][]actor.Actor // featured States' accounts, which read their inbox
}

func build(ctx context.Context, o Options, open opener) (Meta, error) {
	g := &gen{o: o, out: o.Progress, target: TargetFor(o.Scale), stats: map[string]*MethodStat{},
		senders: map[string][]actor.Actor{}, readers: map[string][]actor.Actor{}, box: &tokenBox{tokens: map[string]string{}}}
	g.clock = clock.NewFixed(Now)
	steps := []struct {
		name string
		run  func(context.Context) error
	}{
		{"demo", func(ctx context.Context) error { return g.seedDemo(ctx, open) }},
		{"accounts", g.accounts},
		{"points of contact", g.pocs},
		// Before the check: the runs' scheduler passes then run only
		// jobs the check's would (see exercises).
		{"exercise runs", g.exercises},
		{"communication check", g.check},
		{"communications", g.messages},
		{"sample thread", g.sampleThread},
		{"survey reports", g.surveyReports},
		{"library", g.libraryDocuments},
		{"capacity building", g.capacityBuilding},
		{"audit log", g.auditLog},
		{"second factor", g.secondFactor},
	}
	for _, st := range steps {
		start := time.Now()
		if err := st.run(ctx); err != nil {
			if g.a != nil {
				g.a.Close()
			}
			return Meta{}, fmt.Errorf("%s: %w", st.name, err)
		}
		fmt.Fprintf(g.out, "  %-20s %s\n", st.name, time.Since(start).Round(time.Millisecond))
	}
	start := time.Now()
	if err := g.a.Close(); err != nil {
		return Meta{}, err
	}
	g.timed("App.Close (seals the audit log)", start)
	for _, s := range g.stats {
		g.meta.Methods = append(g.meta.Methods, *s)
	}
	sort.Slice(g.meta.Methods, func(i, j int) bool { return g.meta.Methods[i].Total > g.meta.Methods[j].Total })
	return g.meta, nil
}

// timed adds the time since start to method's total.
func (g *gen) timed(method string, start time.Time) {
	d := time.Since(start)
	g.mu.Lock()
	defer g.mu.Unlock()
	s := g.stats[method]
	if s == nil {
		s = &MethodStat{Method: method}
		g.stats[method] = s
	}
	s.Calls++
	s.Total += d
}

// call runs one service call and counts its time.
func (g *gen) call(method string, fn func() error) error {
	start := time.Now()
	err := fn()
	g.timed(method, start)
	if err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	return nil
}

// parallel runs fn(0…n-1) on the build's workers and returns the first error.
func (g *gen) parallel(ctx context.Context, n int, fn func(i int) error) error {
	var next atomic.Int64
	var first error
	var once sync.Once
	var failed atomic.Bool
	var wg sync.WaitGroup
	for range min(g.o.Workers, n) {
		wg.Go(func() {
			for !failed.Load() && ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if err := fn(i); err != nil {
					once.Do(func() { first = err })
					failed.Store(true)
					return
				}
			}
		})
	}
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return first
}

// spread runs fn(0…n-1) in batches whose clock moves evenly from from to to.
func (g *gen) spread(ctx context.Context, n int, from, to time.Time, fn func(i int) error) error {
	for start := 0; start < n; start += batch {
		end := min(n, start+batch)
		g.clock.Set(from.Add(time.Duration(float64(to.Sub(from)) * float64(start) / float64(n))))
		if err := g.parallel(ctx, end-start, func(i int) error { return fn(start + i) }); err != nil {
			return err
		}
		if err := g.seal(ctx); err != nil {
			return err
		}
		if n > 5*batch && (end/batch)%40 == 0 {
			fmt.Fprintf(g.out, "    %d of %d\n", end, n)
		}
	}
	return nil
}

// seal links the audit entries written so far into the chain, as the
// server's sealer does every 200 ms. Left to pile up, they would cost the
// sealer far more at the end: finding the chain's head walks back over
// every unsealed entry, once per batch it seals.
func (g *gen) seal(ctx context.Context) error {
	return g.call("audit.Sealer.Flush", func() error { _, err := g.a.Sealer.Flush(ctx); return err })
}

// rng is the random source of item i of a step: the same data whatever the
// order the workers take the items in.
func rng(step, i int) *rand.Rand { return rand.New(rand.NewPCG(uint64(step)<<32|2015, uint64(i))) }

// seedDemo writes the demo, then opens the app the rest of the build uses.
func (g *gen) seedDemo(ctx context.Context, open opener) error {
	start := time.Now()
	res, err := demo.Seed(ctx, func(c clock.Clock, m mail.Sender) (*app.App, error) { return open(ctx, c, m) }, Now, Password)
	g.timed("demo.Seed", start)
	if err != nil {
		return err
	}
	g.meta.Counts.Participating, g.meta.Counts.POCs, g.meta.Counts.Accounts = res.Participating, res.POCs, len(res.Logins)
	for _, l := range res.Logins {
		switch {
		case l.Role == actor.Secretariat:
			g.meta.Logins.Secretariat = l.Email
		case l.State == "FR" && l.Role == actor.StateAdmin:
			g.meta.Logins.StateAdmin = l.Email
		case l.State == "FR" && l.Role == actor.POC:
			g.meta.Logins.POC = l.Email
		case l.State == "FR" && l.Role == actor.Viewer:
			g.meta.Logins.Viewer = l.Email
		}
	}
	if g.a, err = open(ctx, g.clock, g.box); err != nil {
		return err
	}
	all, err := g.a.Directory.States(ctx, actor.Operator)
	if err != nil {
		return err
	}
	for _, st := range all {
		if st.Participating() {
			g.states = append(g.states, st)
		}
	}
	accs, err := g.a.Access.Accounts(ctx, actor.Operator)
	if err != nil {
		return err
	}
	for _, acc := range accs {
		if acc.State == "" {
			continue
		}
		g.readers[acc.State] = append(g.readers[acc.State], acc.Actor())
		if acc.Role == actor.POC || acc.Role == actor.StateAdmin {
			g.senders[acc.State] = append(g.senders[acc.State], acc.Actor())
		}
	}
	g.meta.Samples = Samples{State: "FR", SearchWord: "ransomware", DirectoryWord: "csirt", LibraryWord: LibraryWord}
	// The demo's own communications and challenges, counted once here so
	// the totals claimed are the demo's plus what this build adds.
	if err := g.a.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM messages`).Scan(&g.meta.Counts.Messages); err != nil {
		return err
	}
	if err := g.a.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM deliveries`).Scan(&g.meta.Counts.Deliveries); err != nil {
		return err
	}
	return g.a.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM ping_challenges`).Scan(&g.meta.Counts.Challenges)
}

// others are the participating States without demo accounts.
func (g *gen) others() []directory.State {
	var out []directory.State
	for _, st := range g.states {
		if !slices.Contains(featured, st.Code) {
			out = append(out, st)
		}
	}
	return out
}

// accounts gives other States an administrator (made by the operator),
// then points of contact and viewers (made by that administrator), as the
// services require.
func (g *gen) accounts(ctx context.Context) error {
	extra := g.target.Accounts - g.meta.Counts.Accounts
	others := g.others()
	if extra <= 0 || len(others) == 0 {
		return nil
	}
	admins := make([]actor.Actor, len(others))
	made := make([]actor.Actor, extra)
	create := func(j int, by actor.Actor, role actor.Role) error {
		st := others[j%len(others)]
		k := j / len(others)
		local := map[actor.Role]string{actor.StateAdmin: "admin", actor.POC: "duty", actor.Viewer: "analyst"}[role]
		in := access.NewAccount{Email: fmt.Sprintf("%s%d@%s.demo.invalid", local, k, strings.ToLower(st.Code)),
			DisplayName: fmt.Sprintf("%s %s %d (demo)", st.Name, local, k), Role: role, State: st.Code, Password: Password}
		return g.call("Access.CreateAccount", func() error {
			acc, _, err := g.a.Access.CreateAccount(ctx, by, in)
			made[j] = acc.Actor()
			return err
		})
	}
	nAdmins := min(extra, len(others))
	err := g.spread(ctx, nAdmins, Now.AddDate(-2, 0, 0), Now.AddDate(-1, -6, 0), func(j int) error {
		if err := create(j, actor.Operator, actor.StateAdmin); err != nil {
			return err
		}
		admins[j] = made[j]
		return nil
	})
	if err != nil {
		return err
	}
	err = g.spread(ctx, extra-nAdmins, Now.AddDate(-1, -6, 0), Now.AddDate(0, -1, 0), func(i int) error {
		j := nAdmins + i
		role := actor.Viewer
		if (j/len(others))%2 == 1 {
			role = actor.POC
		}
		return create(j, admins[j%len(others)], role)
	})
	if err != nil {
		return err
	}
	for _, acc := range made {
		if acc.Role == actor.POC || acc.Role == actor.StateAdmin {
			g.senders[acc.State] = append(g.senders[acc.State], acc)
		}
	}
	g.meta.Counts.Accounts += extra
	return nil
}

var (
	titles = map[directory.Level][]string{
		directory.Diplomatic: {"Cyber coordinator", "Deputy director for international security", "Ambassador for cyber affairs"},
		directory.Policy:     {"Head of cyber security policy", "Senior policy officer", "Director of national cyber strategy"},
		directory.Technical:  {"Duty officer, national CSIRT", "Incident coordinator, national CSIRT", "Head of the CSIRT operations centre"},
	}
	organisations = map[directory.Level]string{
		directory.Diplomatic: "Ministry of Foreign Affairs",
		directory.Policy:     "National Cyber Security Agency",
		directory.Technical:  "National CSIRT",
	}
	given  = []string{"Amina", "Lucas", "Mei", "Omar", "Sofia", "Kwame", "Elena", "Ravi", "Leila", "Tomás", "Yuki", "Ngozi", "Anders", "Fatima", "Diego", "Irina"}
	family = []string{"Okafor", "Martin", "Tanaka", "Haddad", "Rossi", "Mensah", "Petrova", "Sharma", "Nasser", "García", "Sato", "Eze", "Lindqvist", "Benali", "Herrera", "Volkova"}
)

// pocs nominates the points of contact beyond the demo's, spread over the
// participating States and levels, each by its State's administrator, and
// has most of them confirmed later.
func (g *gen) pocs(ctx context.Context) error {
	extra := g.target.POCs - g.meta.Counts.POCs
	if extra <= 0 {
		return nil
	}
	ids := make([]string, extra)
	created := make([]time.Time, extra)
	err := g.spread(ctx, extra, Now.AddDate(-2, 0, 0), Now.AddDate(0, 0, -2), func(j int) error {
		r := rng(1, j)
		st := g.states[j%len(g.states)]
		lv := directory.Levels[(j/len(g.states))%3]
		host := strings.ToLower(st.Code) + ".demo.invalid"
		in := directory.POCInput{Level: lv, FunctionTitle: titles[lv][r.IntN(3)], Organisation: organisations[lv],
			Emails: []string{fmt.Sprintf("poc%05d@%s", j, host)}, Phones: []string{fmt.Sprintf("+990 5550 %04d", r.IntN(10000))},
			Languages: []string{"en"}, TimeZone: "UTC", Availability: directory.OfficeHours, Hours: "Mon–Fri 09:00–17:00"}
		if lv == directory.Technical {
			in.Availability, in.Hours = directory.Always, ""
		}
		if r.IntN(100) < 30 {
			in.PersonName = given[r.IntN(len(given))] + " " + family[r.IntN(len(family))] + " (fictitious)"
		}
		admin := actor.Actor{AccountID: "demo-" + st.Code, Email: "demo data for " + st.Code, Role: actor.StateAdmin, State: st.Code}
		return g.call("Directory.Nominate", func() error {
			p, err := g.a.Directory.Nominate(ctx, admin, st.Code, in)
			ids[j], created[j] = p.ID, p.CreatedAt
			return err
		})
	})
	if err != nil {
		return err
	}
	g.meta.Counts.POCs += extra
	// About one in eight is never confirmed and goes stale.
	return g.spread(ctx, extra, Now.AddDate(0, -10, 0), Now.AddDate(0, 0, -1), func(j int) error {
		if rng(2, j).IntN(100) >= 88 || !g.clock.Now().After(created[j]) {
			return nil
		}
		st := g.states[j%len(g.states)]
		admin := actor.Actor{AccountID: "demo-" + st.Code, Email: "demo data for " + st.Code, Role: actor.StateAdmin, State: st.Code}
		return g.call("Directory.Confirm", func() error {
			_, err := g.a.Directory.Confirm(ctx, admin, ids[j])
			return err
		})
	})
}

// tokenBox is the mail relay of the build: it keeps the last check link
// mailed to each address, so the build answers as a POC following it.
type tokenBox struct {
	mu     sync.Mutex
	tokens map[string]string
}

var checkLink = regexp.MustCompile(`/ping/([A-Za-z0-9_-]{20,})`)

func (b *tokenBox) Send(_ context.Context, _ string, to []string, raw []byte) error {
	t := checkLink.FindSubmatch([]byte(strings.ReplaceAll(string(raw), "=\r\n", "")))
	if t == nil {
		return nil
	}
	b.mu.Lock()
	b.tokens[strings.Join(to, ",")] = string(t[1])
	b.mu.Unlock()
	return nil
}

// take returns the links mailed since the last call, by recipient.
func (b *tokenBox) take() ([]string, map[string]string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := b.tokens
	b.tokens = map[string]string{}
	keys := make([]string, 0, len(out))
	for k := range out {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys, out
}

// drain performs every job due at the clock's time, on the build's workers.
// A worker stops when it finds nothing due, so rounds repeat until one
// finds nothing: a job that enqueues more (a check opening, which mails
// every POC) is then shared out again.
func (g *gen) drain(ctx context.Context) error {
	return g.call("Jobs.RunDue", func() error {
		for {
			var ran atomic.Int64
			err := g.parallel(ctx, g.o.Workers, func(int) error {
				n, err := g.a.Jobs.RunDue(ctx, 1<<30)
				ran.Add(int64(n))
				return err
			})
			if err != nil || ran.Load() == 0 {
				return err
			}
		}
	})
}

// check runs one communication check over every POC through the
// scheduler: it opens and mails each POC its link; most answer before the
// reminder, some after it, the rest never; it closes and is published.
func (g *gen) check(ctx context.Context) error {
	opens := Now.AddDate(0, 0, -10)
	g.clock.Set(opens)
	var c checks.Check
	err := g.call("Checks.Create", func() (err error) {
		c, err = g.a.Checks.Create(ctx, actor.Operator, checks.Input{Name: "Communication check of every point of contact", ScopeKind: checks.ScopeAll,
			Levels: []string{"diplomatic", "policy", "technical"}, WindowHours: 72, ReminderAfter: 48})
		return err
	})
	if err != nil {
		return err
	}
	g.meta.Samples.CheckID = c.ID
	if err := g.drain(ctx); err != nil {
		return err
	}
	answer := func(step int, keys []string, tokens map[string]string, pct int, from, to time.Time) error {
		var chosen []string
		for i, k := range keys {
			if rng(step, i).IntN(100) < pct {
				chosen = append(chosen, k)
			}
		}
		return g.spread(ctx, len(chosen), from, to, func(i int) error {
			return g.call("Checks.AcknowledgeToken", func() error {
				_, err := g.a.Checks.AcknowledgeToken(ctx, tokens[chosen[i]], fmt.Sprintf("192.0.2.%d", 1+i%254))
				return err
			})
		})
	}
	keys, tokens := g.box.take()
	if err := answer(3, keys, tokens, 72, opens.Add(5*time.Minute), opens.Add(47*time.Hour)); err != nil {
		return err
	}
	g.clock.Set(opens.Add(48*time.Hour + time.Minute))
	if err := g.drain(ctx); err != nil { // the reminders, with fresh links
		return err
	}
	keys, tokens = g.box.take()
	if err := answer(4, keys, tokens, 40, opens.Add(49*time.Hour), opens.Add(71*time.Hour)); err != nil {
		return err
	}
	g.clock.Set(c.ClosesAt.Add(time.Minute))
	if err := g.drain(ctx); err != nil {
		return err
	}
	if err := g.call("Checks.SetPublished", func() error { return g.a.Checks.SetPublished(ctx, actor.Operator, c.ID, true) }); err != nil {
		return err
	}
	rep, err := g.a.Checks.Results(ctx, actor.Operator, c.ID)
	if err != nil {
		return err
	}
	g.meta.Counts.Challenges += rep.Overall.Total
	return nil
}

// sent is what later steps need of a communication.
type sent struct {
	id, thread string
	from       actor.Actor
	recipients []string
	label      tlp.Label
	named      []actor.Actor
	deliveries int
	frReadable bool // France's POC reads this message and those it answers
}

var (
	topics = []string{"ransomware", "phishing", "botnet", "scanning", "denial of service", "data leak", "supply chain", "wiper", "credential theft", "defacement"}
	sites  = []string{"electricity operators", "hospitals", "port authorities", "a national bank", "election officials", "water utilities",
		"telecommunications carriers", "a ministry", "air traffic services", "a satellite operator", "universities", "payment processors"}
	labels = []struct {
		l   tlp.Label
		pct int
	}{{tlp.Clear, 10}, {tlp.Green, 35}, {tlp.Amber, 35}, {tlp.AmberStrict, 10}, {tlp.Red, 10}}
	sectorOf = []string{"energy", "health", "transport", "finance", "elections", "water", "telecommunications", "government", "transport", "space", "government", "finance"}
)

func pickLabel(r *rand.Rand) tlp.Label {
	n := r.IntN(100)
	for _, x := range labels {
		if n < x.pct {
			return x.l
		}
		n -= x.pct
	}
	return tlp.Green
}

// messages sends the communications beyond the demo's over three months:
// new threads between the featured and other States at every TLP label,
// and answers in earlier threads (updates, acknowledgements, closures). As
// each is sent, most deliveries are marked delivered (the notification
// worker's system method), some recipients acknowledge, and the featured
// States' people read some of what reaches them.
func (g *gen) messages(ctx context.Context) error {
	extra := g.target.Messages - g.meta.Counts.Messages
	if extra <= 0 {
		return nil
	}
	var sendStates []string
	for _, st := range g.states {
		if len(g.senders[st.Code]) > 0 {
			sendStates = append(sendStates, st.Code)
		}
	}
	var pool []sent
	threadLen := map[string]int{}
	threadOK := map[string]bool{}
	from, to := Now.AddDate(0, -3, 0), Now.Add(-time.Hour)
	for start := 0; start < extra; start += batch {
		end := min(extra, start+batch)
		g.clock.Set(from.Add(time.Duration(float64(to.Sub(from)) * float64(start) / float64(extra))))
		out := make([]sent, end-start)
		snapshot := pool
		err := g.parallel(ctx, end-start, func(k int) error {
			s, err := g.message(ctx, start+k, snapshot, sendStates)
			out[k] = s
			return err
		})
		if err != nil {
			return err
		}
		if err := g.seal(ctx); err != nil {
			return err
		}
		for _, s := range out {
			pool = append(pool, s)
			g.meta.Counts.Messages++
			g.meta.Counts.Deliveries += s.deliveries
			ok, seen := threadOK[s.thread]
			threadOK[s.thread] = s.frReadable && (ok || !seen)
			threadLen[s.thread]++
		}
		if extra > 5*batch && (end/batch)%40 == 0 {
			fmt.Fprintf(g.out, "    %d of %d\n", end, extra)
		}
	}
	best := 0
	for _, s := range pool {
		if n := threadLen[s.thread]; threadOK[s.thread] && n > best {
			best, g.meta.Samples.ThreadID = n, s.thread
		}
	}
	return nil
}

// sampleThread falls back on the newest thread in the POC login's inbox
// when the build sent too little to have a long one.
func (g *gen) sampleThread(ctx context.Context) error {
	if g.meta.Samples.ThreadID != "" {
		return nil
	}
	acc, err := g.a.Access.AccountByEmail(ctx, actor.Operator, g.meta.Logins.POC)
	if err != nil {
		return err
	}
	msgs, err := g.a.Messaging.List(ctx, acc.Actor(), messaging.ListFilter{Box: messaging.Inbox, Limit: 1})
	if err != nil {
		return err
	}
	if len(msgs) == 0 {
		return fmt.Errorf("no communication reaches %s", g.meta.Logins.POC)
	}
	g.meta.Samples.ThreadID = msgs[0].ThreadID
	return nil
}

// message sends communication i: an answer in an earlier thread, or a new
// one, then moves its deliveries along.
func (g *gen) message(ctx context.Context, i int, pool []sent, sendStates []string) (sent, error) {
	r := rng(5, i)
	if len(pool) > 50 && r.IntN(100) < 35 {
		parent := pool[len(pool)-1-r.IntN(min(len(pool), 3000))]
		if s, ok, err := g.reply(ctx, r, parent); ok || err != nil {
			return s, err
		}
	}
	// A new thread: about half start from a featured State, and most
	// address one.
	var sender string
	if r.IntN(100) < 45 {
		sender = featured[r.IntN(len(featured))]
	} else {
		sender = sendStates[r.IntN(len(sendStates))]
	}
	from := g.senders[sender][r.IntN(len(g.senders[sender]))]
	var recipients []string
	add := func(code string) {
		if code != sender && !slices.Contains(recipients, code) {
			recipients = append(recipients, code)
		}
	}
	if r.IntN(100) < 60 {
		add(featured[r.IntN(len(featured))])
	}
	for n := 1 + r.IntN(3); len(recipients) < n; {
		add(g.states[r.IntN(len(g.states))].Code)
	}
	// Sends lock their recipients' inbox counts in the order given: in one
	// order for all, concurrent sends wait for each other instead of
	// deadlocking on PostgreSQL.
	slices.Sort(recipients)
	label := pickLabel(r)
	var named []actor.Actor
	if label == tlp.Red {
		for _, st := range recipients {
			if accs := g.senders[st]; len(accs) > 0 {
				named = append(named, accs[r.IntN(len(accs))])
				break
			}
		}
		if named == nil {
			label = tlp.AmberStrict
		}
	}
	topic, site := r.IntN(len(topics)), r.IntN(len(sites))
	subject := fmt.Sprintf("%s affecting %s (%s)", capital(topics[topic]), sites[site], refOf(i))
	body := fmt.Sprintf("Our national CSIRT observed %s activity against %s since %s. We share what we know and ask you to check your own networks; indicators follow.",
		topics[topic], sites[site], g.clock.Now().AddDate(0, 0, -1-r.IntN(5)).Format("2 January"))
	d := messaging.Draft{Recipients: recipients, Level: messaging.Technical, Urgency: messaging.Urgencies()[r.IntN(3)], TLP: label,
		Subject: subject, Body: body, AckRequested: r.IntN(100) < 60, Exercise: r.IntN(100) < 5}
	for _, acc := range named {
		d.Named = append(d.Named, acc.AccountID)
	}
	sector := sectorOf[site]
	switch r.IntN(5) {
	case 0:
		d.Type = messaging.IncidentNotification
		d.Fields = map[string]string{"sector": sector, "impact": "Systems of one operator unavailable for several hours.", "status": []string{"ongoing", "contained", "resolved"}[r.IntN(3)],
			"indicators": fmt.Sprintf("198.51.100.%d\nupdate-%d.example.invalid", r.IntN(255), i)}
	case 1:
		d.Type = messaging.AssistanceRequest
		d.Fields = map[string]string{"sector": sector, "critical_infrastructure": "yes", "assistance": "Help identify the infrastructure used abroad.",
			"impact": "Services to the public degraded."}
	case 2:
		d.Type = messaging.MitigationRequest
		d.Fields = map[string]string{"sector": sector, "activity": "Scanning and exploitation attempts from addresses on your territory.",
			"indicators": fmt.Sprintf("203.0.113.%d", r.IntN(255))}
	case 3:
		d.Type = messaging.InformationRequest
		d.Fields = map[string]string{"question": "Have you seen the same activity, and which indicators do you hold?"}
	default:
		d.Type = messaging.VulnerabilityReport
		d.Fields = map[string]string{"product": "Gateway firmware 4.x", "severity": []string{"low", "medium", "high", "critical"}[r.IntN(4)]}
	}
	var m messaging.Message
	err := g.call("Messaging.Send (new thread)", func() (err error) {
		m, err = g.a.Messaging.Send(ctx, from, d)
		return err
	})
	if err != nil {
		return sent{}, err
	}
	s := sent{id: m.ID, thread: m.ThreadID, from: from, recipients: m.Recipients, label: m.TLP, named: named, deliveries: len(m.Deliveries),
		frReadable: label != tlp.Red && (sender == "FR" || slices.Contains(m.Recipients, "FR"))}
	return s, g.progress(ctx, r, m, s)
}

// reply answers parent as one of its parties, if one can: ok is false when
// no party of parent has an account that may answer.
func (g *gen) reply(ctx context.Context, r *rand.Rand, parent sent) (sent, bool, error) {
	var by actor.Actor
	d := messaging.Draft{ReplyTo: parent.id}
	n := r.IntN(100)
	switch {
	case n < 10:
		by, d.Type = parent.from, messaging.Closure
		d.Fields = map[string]string{"outcome": "The activity stopped; we close this exchange. Thank you for your help."}
	case parent.label == tlp.Red:
		if len(parent.named) == 0 {
			return sent{}, false, nil
		}
		by, d.Type = parent.named[0], messaging.Update
	default:
		var able []string
		for _, st := range parent.recipients {
			if len(g.senders[st]) > 0 {
				able = append(able, st)
			}
		}
		if len(able) == 0 {
			return sent{}, false, nil
		}
		st := able[r.IntN(len(able))]
		by = g.senders[st][r.IntN(len(g.senders[st]))]
		d.Type = messaging.Update
		if n < 25 {
			d.Type = messaging.Acknowledgement
		}
	}
	// The other parties, in the one order every send locks them in.
	for _, st := range append([]string{parent.from.State}, parent.recipients...) {
		if st != by.State && !slices.Contains(d.Recipients, st) {
			d.Recipients = append(d.Recipients, st)
		}
	}
	slices.Sort(d.Recipients)
	if d.Type == messaging.Update {
		d.Body = fmt.Sprintf("We looked into it: %d systems checked, the indicators match two of them; ransomware precursors removed.", 5+r.IntN(50))
		d.Fields = map[string]string{"status": []string{"in progress", "action taken", "unable to act", "information provided"}[r.IntN(4)]}
	}
	var m messaging.Message
	err := g.call("Messaging.Send (answer)", func() (err error) {
		m, err = g.a.Messaging.Send(ctx, by, d)
		return err
	})
	if err != nil {
		return sent{}, true, err
	}
	s := sent{id: m.ID, thread: m.ThreadID, from: by, recipients: m.Recipients, label: m.TLP, named: parent.named, deliveries: len(m.Deliveries),
		frReadable: parent.frReadable && m.TLP != tlp.Red}
	return s, true, g.progress(ctx, r, m, s)
}

// progress moves a sent message's deliveries along: delivered, sometimes
// acknowledged, and read by the featured States' people it reaches.
func (g *gen) progress(ctx context.Context, r *rand.Rand, m messaging.Message, s sent) error {
	for _, st := range m.Recipients {
		if r.IntN(100) < 90 {
			if err := g.call("Messaging.System.MarkDelivered", func() error { return g.a.Sys.Messaging.MarkDelivered(ctx, m.ID, st) }); err != nil {
				return err
			}
		}
		// Who of st may read m: its accounts, or the named people of RED.
		var party []actor.Actor
		if m.TLP == tlp.Red {
			for _, acc := range s.named {
				if acc.State == st {
					party = append(party, acc)
				}
			}
		} else {
			party = g.readers[st]
			if len(party) == 0 {
				party = g.senders[st]
			}
		}
		if m.AckRequested && r.IntN(100) < 40 {
			for _, acc := range party {
				if acc.Role == actor.POC || acc.Role == actor.StateAdmin {
					if err := g.call("Messaging.Acknowledge", func() error { return g.a.Messaging.Acknowledge(ctx, acc, m.ID) }); err != nil {
						return err
					}
					break
				}
			}
		}
		if !slices.Contains(featured, st) {
			continue
		}
		for _, acc := range party {
			if r.IntN(100) < 50 {
				if err := g.call("Messaging.MarkRead", func() error { return g.a.Messaging.MarkRead(ctx, acc, m.ID) }); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func capital(s string) string { return strings.ToUpper(s[:1]) + s[1:] }

// refOf is a reference number such as a CERT puts in its subjects.
func refOf(i int) string { return fmt.Sprintf("ref. %04d-%03d", 2026, i%1000) }

// auditLog tops the log up to the scale's number of entries with the most
// common entry of a real log, sign-ins, through the log's own Append, in
// large transactions, then seals everything.
func (g *gen) auditLog(ctx context.Context) error {
	if err := g.seal(ctx); err != nil {
		return err
	}
	var have int
	if err := g.a.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log`).Scan(&have); err != nil {
		return err
	}
	var people []actor.Actor
	for _, st := range g.states {
		people = append(people, g.readers[st.Code]...)
		if len(g.readers[st.Code]) == 0 {
			people = append(people, g.senders[st.Code]...)
		}
	}
	const perTx = 5000
	missing := g.target.Audit - have
	if missing > 0 {
		txs := (missing + perTx - 1) / perTx
		err := g.spread(ctx, txs, Now.AddDate(-1, 0, 0), Now, func(t int) error {
			n := min(perTx, missing-t*perTx)
			err := g.call(fmt.Sprintf("audit.Log.Append (%d per transaction)", perTx), func() error {
				return g.a.DB.Tx(ctx, func(tx *sql.Tx) error {
					for k := range n {
						who := people[(t*perTx+k)%len(people)]
						if err := g.a.Audit.Append(ctx, tx, who, audit.Change{Action: "account.sign_in", ObjectType: "account", ObjectID: who.AccountID,
							State: who.State, Details: map[string]string{"address": fmt.Sprintf("192.0.2.%d", 1+k%254)}}); err != nil {
							return err
						}
					}
					return nil
				})
			})
			if err != nil {
				return err
			}
			return g.seal(ctx)
		})
		if err != nil {
			return err
		}
	}
	if err := g.seal(ctx); err != nil {
		return err
	}
	return g.a.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log`).Scan(&g.meta.Counts.AuditEntries)
}

// secondFactor enrols the secretariat's authenticator, which its role
// requires before any page, and keeps the secret for the benchmarks.
func (g *gen) secondFactor(ctx context.Context) error {
	g.clock.Set(Now)
	token, _, err := g.a.Access.SignIn(ctx, g.meta.Logins.Secretariat, Password, "127.0.0.1", "dataset")
	if err != nil {
		return err
	}
	e, err := g.a.Access.BeginTOTP(ctx, token)
	if err != nil {
		return err
	}
	code, err := access.TOTPCode(e.Secret, g.clock.Now())
	if err != nil {
		return err
	}
	if _, _, err := g.a.Access.CompleteTOTP(ctx, token, code); err != nil {
		return err
	}
	g.meta.Logins.SecretariatTOTP = e.Secret
	if _, err := g.a.Sealer.Flush(ctx); err != nil {
		return err
	}
	return g.a.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log`).Scan(&g.meta.Counts.AuditEntries)
}
