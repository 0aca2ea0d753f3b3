// Command campaign measures a communication check end to end: the
// secretariat opens a campaign to N points of contact, the job workers mail
// each its single-use token through SMTP to an in-process sink on
// 127.0.0.1, and every POC follows the link in its mail and confirms. Beside
// it, a baseline sends the very same N mails with the same SMTP sender to
// the same sink from plain loops (as many as there are workers), so the cost
// of the outbox, the database and the acknowledgements shows as a ratio. The run also checks that the
// campaign did what it should (N mails, N distinct working tokens, N
// acknowledgements, no duplicate delivery) and exits non-zero otherwise.
//
//	go run ./bench/campaign [-n 10000] [-engine sqlite|postgres] [-dsn URL] [-workers 4] [-clients 8]
//	                        [-ack http|direct] [-smtp-starttls=false] [-timeout 10m] [-cpuprofile PREFIX] [-v]
//
// PostgreSQL runs in a fresh schema of the database named by -dsn or
// DETENTE_TEST_POSTGRES, dropped at the end. Nothing listens beyond
// 127.0.0.1.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/http"
	netmail "net/mail"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, for the schema of a run

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/app"
	"github.com/detente/detente/internal/checks"
	"github.com/detente/detente/internal/config"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/jobs"
	"github.com/detente/detente/internal/mail"
	"github.com/detente/detente/internal/notify"
	"github.com/detente/detente/internal/server"
	"github.com/detente/detente/internal/smtptest"
	"github.com/detente/detente/internal/states"
	"github.com/detente/detente/internal/web"
)

// EnvPostgres is where the PostgreSQL URL comes from when -dsn is empty
// (the variable the repository's tests use).
const EnvPostgres = "DETENTE_TEST_POSTGRES"

// Options are one run's settings.
type Options struct {
	N        int           // points of contact, hence mails and acknowledgements
	Engine   string        // "sqlite" or "postgres"
	DSN      string        // PostgreSQL URL; a fresh schema is made in it
	Workers  int           // job workers (jobs.Options.Workers); also the baseline's senders
	Batch    int           // jobs claimed at once per worker; 0: the app's default
	Clients  int           // concurrent POCs acknowledging
	Ack      string        // "http": GET the link, then POST the form; "direct": checks.AcknowledgeToken
	SMTPTLS  bool          // STARTTLS to the sink, as production requires
	Timeout  time.Duration // bounds the whole run; 0: only ctx does
	Progress io.Writer     // setup progress and app warnings; nil: none
	Profile  string        // if set, a CPU profile of each timed phase goes to Profile-<phase>.pprof
}

// Check is one correctness verdict.
type Check struct {
	Name   string
	OK     bool
	Detail string
}

// Result is what a run measured and verified.
type Result struct {
	Opt                  Options
	States, Participants int
	Setup                time.Duration
	Enqueue              time.Duration // A: Create + the ping.open job
	Deliver              time.Duration // B: workers until the sink holds N mails
	Drain                time.Duration // stopping the workers after B (not in B)
	Parse                time.Duration // part of C: reading the tokens out of the mails
	Acknowledge          time.Duration // C: parsing + acknowledging all N
	Baseline             time.Duration // N sends of the same bytes with the same sender
	MailBytes            int64         // total size of the N mails as built
	Load                 [2]string     // the machine's load averages before and after the timed phases
	Checks               []Check
}

// OK reports whether every check passed.
func (r Result) OK() bool {
	if len(r.Checks) == 0 {
		return false
	}
	for _, c := range r.Checks {
		if !c.OK {
			return false
		}
	}
	return true
}

func (r *Result) check(name string, ok bool, format string, args ...any) {
	r.Checks = append(r.Checks, Check{Name: name, OK: ok, Detail: fmt.Sprintf(format, args...)})
}

func main() {
	var o Options
	flag.IntVar(&o.N, "n", 10000, "points of contact, i.e. mails and acknowledgements")
	flag.StringVar(&o.Engine, "engine", "sqlite", "sqlite or postgres")
	flag.StringVar(&o.DSN, "dsn", "", "PostgreSQL URL (default $"+EnvPostgres+"); the run uses a fresh schema and drops it")
	flag.IntVar(&o.Workers, "workers", 4, "job workers, and concurrent senders in the baseline")
	flag.IntVar(&o.Batch, "batch", 0, "jobs each worker claims at once (0: the app's default)")
	flag.IntVar(&o.Clients, "clients", 8, "concurrent POCs acknowledging")
	flag.StringVar(&o.Ack, "ack", "http", "http: follow the link and press Confirm over loopback HTTP; direct: call AcknowledgeToken")
	flag.BoolVar(&o.SMTPTLS, "smtp-starttls", true, "use STARTTLS to the sink, as production requires")
	flag.DurationVar(&o.Timeout, "timeout", 10*time.Minute, "bound on the whole run")
	flag.StringVar(&o.Profile, "cpuprofile", "", "write a CPU profile of each timed phase to `PREFIX`-{enqueue,deliver,acknowledge,baseline}.pprof")
	verbose := flag.Bool("v", false, "show setup progress and the app's warnings")
	flag.Parse()
	if o.DSN == "" {
		o.DSN = os.Getenv(EnvPostgres)
	}
	if *verbose {
		o.Progress = os.Stderr
	}
	res, err := Run(context.Background(), o)
	Print(os.Stdout, res)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	if !res.OK() {
		fmt.Fprintln(os.Stderr, "bench: correctness checks failed")
		os.Exit(1)
	}
}

// Run sets up a fresh installation, runs the campaign and the baseline, and
// checks the outcome. The error is for a run that could not be carried
// through; a run that went through but got something wrong returns a Result
// whose OK is false.
func Run(ctx context.Context, o Options) (res Result, err error) {
	if o.Workers <= 0 {
		o.Workers = 4
	}
	if o.Clients <= 0 {
		o.Clients = 8
	}
	if o.Ack == "" {
		o.Ack = "http"
	}
	if o.Engine == "" {
		o.Engine = "sqlite"
	}
	res.Opt = o
	if o.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.Timeout)
		defer cancel()
	}
	if o.N <= 0 {
		return res, errors.New("-n must be at least 1")
	}
	if o.Ack != "http" && o.Ack != "direct" {
		return res, fmt.Errorf("-ack %q: use http or direct", o.Ack)
	}
	progress := o.Progress
	if progress == nil {
		progress = io.Discard
	}
	setupStart := time.Now()

	// The database: a SQLite file in a temporary directory, or a fresh
	// PostgreSQL schema.
	dir, err := os.MkdirTemp("", "detente-bench-campaign-")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(dir)
	var dsn string
	switch o.Engine {
	case "sqlite":
		dsn = filepath.Join(dir, "detente.db")
	case "postgres":
		if o.DSN == "" {
			return res, errors.New("postgres: give -dsn or set " + EnvPostgres)
		}
		var drop func()
		dsn, drop, err = freshSchema(ctx, o.DSN)
		if err != nil {
			return res, err
		}
		defer drop()
	default:
		return res, fmt.Errorf("-engine %q: use sqlite or postgres", o.Engine)
	}

	// The SMTP sink, and the HTTP listener whose address the mails link to.
	sink, err := startSink(smtptest.Options{StartTLS: o.SMTPTLS, Timeout: 30 * time.Second})
	if err != nil {
		return res, fmt.Errorf("smtp sink: %w", err)
	}
	defer sink.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return res, err
	}
	defer ln.Close()
	baseURL := "http://" + ln.Addr().String()
	cfg, err := config.Parse("bench", []string{"-data", dir, "-database", dsn, "-base-url", baseURL, "-mail-from", "detente@bench.invalid"},
		func(string) string { return "" }, io.Discard)
	if err != nil {
		return res, err
	}
	// The sender production builds from its settings (mail.SMTP), with the
	// sink's throwaway certificate trusted.
	sender := &mail.SMTP{Host: sink.Host(), Port: sink.Port(), TLS: mail.NoTLS, Timeout: 30 * time.Second}
	if o.SMTPTLS {
		sender.TLS, sender.TLSConfig = mail.StartTLSRequired, sink.TLSConfig()
	}
	defer sender.Close()
	logs := &countingHandler{next: slog.NewTextHandler(progress, &slog.HandlerOptions{Level: slog.LevelWarn}), count: new(atomic.Int64)}
	a, err := app.Open(ctx, cfg, slog.New(logs), app.Options{
		Argon2: &access.Argon2{MemoryKiB: 1024, Time: 1, Threads: 1}, // accounts are set-up, not measured
		Mail:   sender,
		Jobs:   jobs.Options{Workers: o.Workers, Batch: o.Batch},
	})
	if err != nil {
		return res, err
	}
	defer a.Close()
	h, err := server.Handler(a, web.Options{})
	if err != nil {
		return res, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(logs, slog.LevelWarn)}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	pop, err := populate(ctx, a, o.N, progress)
	if err != nil {
		return res, fmt.Errorf("setup: %w", err)
	}
	res.States, res.Participants = len(states.All()), pop.participants
	res.Setup = time.Since(setupStart)
	fmt.Fprintf(progress, "setup done in %s\n", res.Setup.Round(time.Millisecond))

	res.Load[0] = loadAverage()
	defer func() { res.Load[1] = loadAverage() }()
	// profile starts a CPU profile of one phase; stop ends it, and runs
	// again on the way out in case a phase was cut short.
	stop := func() {}
	defer func() { stop() }()
	profile := func(phase string) func() {
		if o.Profile == "" {
			return func() {}
		}
		f, err := os.Create(o.Profile + "-" + phase + ".pprof")
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench: profile:", err)
			return func() {}
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, "bench: profile:", err)
			f.Close()
			return func() {}
		}
		var once sync.Once
		return func() { once.Do(func() { pprof.StopCPUProfile(); f.Close() }) }
	}

	// A: the secretariat creates the campaign; the open job snapshots the
	// POCs into challenges and writes one mail job each.
	stop = profile("enqueue")
	start := time.Now()
	c, err := a.Checks.Create(ctx, pop.secretariat, checks.Input{Name: fmt.Sprintf("Benchmark communication check to %d POCs", o.N),
		ScopeKind: checks.ScopeAll, Levels: []string{string(directory.Diplomatic), string(directory.Policy), string(directory.Technical)}, WindowHours: 72})
	if err != nil {
		return res, fmt.Errorf("create campaign: %w", err)
	}
	ran, err := a.Jobs.RunOnce(ctx) // only ping.open is due
	if err != nil {
		return res, fmt.Errorf("open job: %w", err)
	}
	res.Enqueue = time.Since(start)
	stop()
	if c, err = a.Checks.Check(ctx, pop.secretariat, c.ID); err != nil {
		return res, err
	}
	res.check("campaign opened by its job", ran == 1 && c.Status == checks.Open, "jobs run: %d, status %s", ran, c.Status)
	if c.Status != checks.Open {
		return res, errors.New("the campaign did not open; see -v for the job's error")
	}

	// B: the workers send the mails; the sink counts them.
	wctx, stopWorkers := context.WithCancel(ctx)
	workersDone := make(chan struct{})
	stop = profile("deliver")
	start = time.Now()
	go func() { defer close(workersDone); a.RunWorkers(wctx) }()
	got := waitCount(ctx, sink, o.N)
	res.Deliver = time.Since(start)
	stop()
	stopStart := time.Now()
	stopWorkers()
	<-workersDone
	res.Drain = time.Since(stopStart)
	msgs := sink.Messages()
	res.check("mails received by the sink", len(msgs) == o.N, "%d of %d", len(msgs), o.N)
	if got < o.N {
		return res, fmt.Errorf("only %d of %d mails reached the sink before the time ran out", got, o.N)
	}

	// C: each POC reads its mail, follows the link and confirms.
	stop = profile("acknowledge")
	start = time.Now()
	links, perr := readLinks(msgs, baseURL)
	res.Parse = time.Since(start)
	var acked int64
	var ackErrs []error
	if perr == nil {
		acked, ackErrs = acknowledgeAll(ctx, a, links, o)
	}
	res.Acknowledge = time.Since(start)
	stop()

	// Baseline: the same mails, as the outbox holds them, through the same
	// sender to the same sink, from as many plain loops as there are workers.
	jobsMail, err := mailJobs(ctx, a)
	if err != nil {
		return res, err
	}
	for _, j := range jobsMail {
		res.MailBytes += int64(len(j.Raw))
	}
	stop = profile("baseline")
	start = time.Now()
	sent, berr := sendAll(ctx, sender, jobsMail, o.Workers)
	res.Baseline = time.Since(start)
	stop()

	// Correctness.
	verify(ctx, &res, a, c.ID, pop, msgs, links, perr, acked, ackErrs, logs)
	var sinkBytes int64
	for _, m := range msgs {
		sinkBytes += int64(len(m.Data))
	}
	res.check("baseline sent the same mails", berr == nil && sent == o.N && len(jobsMail) == o.N && sinkBytes == res.MailBytes,
		"%d sent of %d mail jobs, %d bytes built, %d bytes received in the campaign%s", sent, len(jobsMail), res.MailBytes, sinkBytes, errSuffix(berr))
	total := len(sink.Messages())
	res.check("sink total after baseline", total == 2*o.N, "%d (campaign %d + baseline %d)", total, o.N, total-o.N)
	return res, nil
}

// loadAverage is the first three fields of /proc/loadavg, where there is one:
// other work on the machine shows in the figures.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func errSuffix(err error) string {
	if err == nil {
		return ""
	}
	return "; " + err.Error()
}

// population is what setup made.
type population struct {
	secretariat  actor.Actor
	participants int
	emails       map[string]string // POC address → POC id
	levels       map[string]int    // POCs per level
}

// populate makes States participate and nominates n POCs, spread over the
// 195 States and the three levels, through the directory service: the
// operator records participation and creates one administrator account per
// State and a secretariat account; each State's administrator nominates
// its own POCs, as the service requires.
func populate(ctx context.Context, a *app.App, n int, progress io.Writer) (population, error) {
	p := population{emails: map[string]string{}, levels: map[string]int{}}
	sec, _, err := a.Access.CreateAccount(ctx, actor.Operator, access.NewAccount{Email: "secretariat@bench.invalid", DisplayName: "Benchmark secretariat",
		Role: actor.Secretariat, Password: "benchmark password 1234"})
	if err != nil {
		return p, err
	}
	p.secretariat = sec.Actor()
	all := states.All()
	// POC i is at level i mod 3 in State (i div 3) mod 195: every State
	// gets whole triples, so all three levels appear wherever there is a
	// POC, and a small n still spans several States.
	groups := (n + 2) / 3
	used := min(groups, len(all))
	since := time.Now().UTC().AddDate(-1, 0, 0)
	admins := make([]actor.Actor, used)
	for i := range used {
		st := all[i]
		if err := a.Directory.SetParticipation(ctx, actor.Operator, st.Alpha2, &since); err != nil {
			return p, fmt.Errorf("participation %s: %w", st.Alpha2, err)
		}
		acc, _, err := a.Access.CreateAccount(ctx, actor.Operator, access.NewAccount{Email: "admin@" + strings.ToLower(st.Alpha2) + ".bench.invalid",
			DisplayName: st.Name + " administrator", Role: actor.StateAdmin, State: st.Alpha2, Password: "benchmark password 1234"})
		if err != nil {
			return p, fmt.Errorf("admin %s: %w", st.Alpha2, err)
		}
		admins[i] = acc.Actor()
	}
	p.participants = used
	for i := range n {
		k := (i / 3) % used
		st, lv := all[k], directory.Levels[i%3]
		host := strings.ToLower(st.Alpha2) + ".bench.invalid"
		in := directory.POCInput{Level: lv, FunctionTitle: fmt.Sprintf("%s point of contact no. %d", lv, i), Organisation: "Benchmark agency of " + st.Name,
			Emails: []string{fmt.Sprintf("poc%06d@%s", i, host)}, Phones: []string{fmt.Sprintf("+990 5550 %04d", i%10000)}, Languages: []string{"en"},
			TimeZone: "UTC", Availability: directory.Always}
		poc, err := a.Directory.Nominate(ctx, admins[k], st.Alpha2, in)
		if err != nil {
			return p, fmt.Errorf("nominate POC %d in %s: %w", i, st.Alpha2, err)
		}
		p.emails[poc.Emails[0]] = poc.ID
		p.levels[string(lv)]++
		if (i+1)%1000 == 0 {
			fmt.Fprintf(progress, "setup: %d POCs nominated\n", i+1)
		}
	}
	return p, nil
}

// waitCount polls the sink until it holds n messages or ctx ends, and
// returns the count. Each poll copies the sink's list, so it polls
// sparingly while many mails are still to come and every 2ms near the end:
// half the time the remaining mails should take at the rate so far.
func waitCount(ctx context.Context, sink *smtptest.Server, n int) int {
	start := time.Now()
	for {
		got := len(sink.Messages())
		if got >= n {
			return got
		}
		wait := 2 * time.Millisecond
		if got > 0 {
			elapsed := time.Since(start)
			wait = min(max(elapsed*time.Duration(n-got)/time.Duration(got)/2, 2*time.Millisecond), 100*time.Millisecond)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return len(sink.Messages())
		case <-t.C:
		}
	}
}

// link is the confirmation link found in one mail.
type link struct {
	url, token, to, messageID string
}

// readLinks reads each mail as a mail client shows it (the text part,
// quoted-printable decoded) and takes the one link to the check page.
func readLinks(msgs []smtptest.Message, baseURL string) ([]link, error) {
	out := make([]link, 0, len(msgs))
	for i, m := range msgs {
		pm, err := netmail.ReadMessage(bytes.NewReader(m.Data))
		if err != nil {
			return out, fmt.Errorf("mail %d: %w", i, err)
		}
		mt, params, err := mime.ParseMediaType(pm.Header.Get("Content-Type"))
		if err != nil || mt != "text/plain" || !strings.EqualFold(params["charset"], "utf-8") {
			return out, fmt.Errorf("mail %d: content type %q, want UTF-8 text", i, pm.Header.Get("Content-Type"))
		}
		var body io.Reader = pm.Body
		if strings.EqualFold(pm.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
			body = quotedprintable.NewReader(pm.Body)
		}
		text, err := io.ReadAll(body)
		if err != nil {
			return out, fmt.Errorf("mail %d: body: %w", i, err)
		}
		var found []string
		for _, w := range strings.Fields(string(text)) {
			if !strings.HasPrefix(w, "http://") && !strings.HasPrefix(w, "https://") {
				continue
			}
			u, err := url.Parse(w)
			if err == nil && strings.HasPrefix(w, baseURL+"/") && strings.HasPrefix(u.Path, "/ping/") {
				found = append(found, w)
			}
		}
		if len(found) != 1 {
			return out, fmt.Errorf("mail %d to %v: %d check links, want 1", i, m.To, len(found))
		}
		u, _ := url.Parse(found[0])
		to := ""
		if len(m.To) == 1 {
			to = m.To[0]
		}
		out = append(out, link{url: found[0], token: strings.TrimPrefix(u.Path, "/ping/"), to: to, messageID: pm.Header.Get("Message-Id")})
	}
	return out, nil
}

// acknowledgeAll has o.Clients POCs at a time confirm their checks. It
// returns how many confirmations succeeded and the first few errors.
func acknowledgeAll(ctx context.Context, a *app.App, links []link, o Options) (int64, []error) {
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: o.Clients, MaxConnsPerHost: o.Clients}}
	defer client.CloseIdleConnections()
	confirm := func(l link) error {
		if o.Ack == "direct" {
			_, err := a.Checks.AcknowledgeToken(ctx, l.token, "127.0.0.1")
			return err
		}
		return confirmOverHTTP(ctx, client, l.url)
	}
	var ok int64
	var mu sync.Mutex
	var errs []error
	next := make(chan link)
	var wg sync.WaitGroup
	for range o.Clients {
		wg.Go(func() {
			for l := range next {
				if err := confirm(l); err != nil {
					mu.Lock()
					if len(errs) < 5 {
						errs = append(errs, fmt.Errorf("%s: %w", l.to, err))
					}
					mu.Unlock()
					continue
				}
				atomic.AddInt64(&ok, 1)
			}
		})
	}
feed:
	for _, l := range links {
		select {
		case next <- l:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if ctx.Err() != nil {
		errs = append(errs, ctx.Err())
	}
	return ok, errs
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// confirmOverHTTP does what a person does with the link: open the page,
// which sets the form cookie, and press Confirm, which posts the form.
func confirmOverHTTP(ctx context.Context, client *http.Client, link string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, link, nil)
	if err != nil {
		return err
	}
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	page, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	res.Body.Close()
	if err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET the link: status %d: %.200s", res.StatusCode, page)
	}
	var cookies []*http.Cookie
	csrf := ""
	for _, c := range res.Cookies() {
		cookies = append(cookies, c)
		if c.Name == "__Host-detente-csrf" {
			csrf = c.Value
		}
	}
	m := csrfField.FindSubmatch(page)
	if m == nil {
		return fmt.Errorf("GET the link: the page has no confirmation form: %.200s", page)
	}
	if csrf != "" && csrf != string(m[1]) {
		return errors.New("GET the link: the form and its cookie disagree")
	}
	csrf = string(m[1])
	form := url.Values{"csrf": {csrf}}
	req, err = http.NewRequestWithContext(ctx, http.MethodPost, link, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	u, _ := url.Parse(link)
	req.Header.Set("Origin", u.Scheme+"://"+u.Host)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for _, c := range cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	res, err = client.Do(req)
	if err != nil {
		return err
	}
	body, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	res.Body.Close()
	if res.StatusCode != http.StatusOK && res.StatusCode != http.StatusSeeOther {
		return fmt.Errorf("POST the confirmation: status %d: %.200s", res.StatusCode, body)
	}
	return nil
}

// mailJobs reads the mails of the campaign as the outbox holds them.
func mailJobs(ctx context.Context, a *app.App) ([]notify.MailJob, error) {
	rows, err := a.DB.R.QueryContext(ctx, `SELECT payload FROM jobs WHERE kind = $1 ORDER BY id`, notify.JobMail)
	if err != nil {
		return nil, fmt.Errorf("read mail jobs: %w", err)
	}
	defer rows.Close()
	var out []notify.MailJob
	for rows.Next() {
		var payload string
		if err := rows.Scan(&payload); err != nil {
			return nil, err
		}
		var j notify.MailJob
		if err := json.Unmarshal([]byte(payload), &j); err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return out, rows.Err()
}

// sendAll sends every mail with sender from `loops` plain loops.
func sendAll(ctx context.Context, sender mail.Sender, ms []notify.MailJob, loops int) (int, error) {
	var next, sent atomic.Int64
	var first error
	var once sync.Once
	var wg sync.WaitGroup
	for range loops {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(ms) || ctx.Err() != nil {
					return
				}
				if err := sender.Send(ctx, ms[i].From, ms[i].To, ms[i].Raw); err != nil {
					once.Do(func() { first = err })
					continue
				}
				sent.Add(1)
			}
		})
	}
	wg.Wait()
	return int(sent.Load()), first
}

// verify records the correctness checks of the campaign.
func verify(ctx context.Context, res *Result, a *app.App, campaignID string, pop population, msgs []smtptest.Message, links []link,
	parseErr error, acked int64, ackErrs []error, logs *countingHandler) {
	n := res.Opt.N
	ids, rcpts := map[string]int{}, map[string]int{}
	unknown := 0
	for _, m := range msgs {
		ids[m.Header.Get("Message-Id")]++
		for _, to := range m.To {
			rcpts[to]++
			if _, ok := pop.emails[to]; !ok {
				unknown++
			}
		}
	}
	dups := 0
	for _, c := range ids {
		dups += c - 1
	}
	res.check("no duplicate delivery", dups == 0 && len(ids) == n && len(rcpts) == n && unknown == 0,
		"%d distinct Message-IDs, %d distinct recipients, %d duplicates, %d unknown recipients", len(ids), len(rcpts), dups, unknown)
	tokens := map[string]bool{}
	for _, l := range links {
		tokens[l.token] = true
	}
	res.check("distinct tokens read from the mails", parseErr == nil && len(tokens) == n, "%d of %d%s", len(tokens), n, errSuffix(parseErr))
	detail := fmt.Sprintf("%d of %d via %s", acked, n, res.Opt.Ack)
	for _, e := range ackErrs {
		detail += "; " + e.Error()
	}
	res.check("acknowledgements accepted", acked == int64(n) && len(ackErrs) == 0, "%s", detail)

	rep, err := a.Checks.Results(ctx, pop.secretariat, campaignID)
	if err != nil {
		res.check("results as the secretariat", false, "%v", err)
	} else {
		res.check("results as the secretariat", rep.Overall.Total == n && rep.Overall.Acknowledged == n && rep.Overall.Bounced == 0 && rep.Overall.Rate == 1,
			"%d challenges, %d acknowledged, %d bounced, rate %.1f%%", rep.Overall.Total, rep.Overall.Acknowledged, rep.Overall.Bounced, rep.Overall.Rate*100)
		levelsOK := len(rep.ByLevel) == min(n, 3)
		var lv []string
		for _, t := range rep.ByLevel {
			lv = append(lv, fmt.Sprintf("%s %d/%d", t.Key, t.Acknowledged, t.Total))
			levelsOK = levelsOK && t.Total == pop.levels[t.Key] && t.Acknowledged == t.Total
		}
		res.check("results by level and State", levelsOK && len(rep.ByState) == pop.participants,
			"%s; %d States of %d participating", strings.Join(lv, ", "), len(rep.ByState), pop.participants)
	}

	var done, failed, sentAt int
	err = a.DB.R.QueryRowContext(ctx, `SELECT COUNT(done_at), COUNT(failed_at) FROM jobs WHERE kind = $1`, notify.JobMail).Scan(&done, &failed)
	if err == nil {
		err = a.DB.R.QueryRowContext(ctx, `SELECT COUNT(sent_at) FROM ping_challenges WHERE campaign_id = $1`, campaignID).Scan(&sentAt)
	}
	res.check("outbox settled", err == nil && done == n && failed == 0 && sentAt == n && a.Jobs.Fenced() == 0,
		"%d mail jobs done, %d failed, %d challenges marked sent, %d fenced completions%s", done, failed, sentAt, a.Jobs.Fenced(), errSuffix(err))
	w := logs.count.Load()
	res.check("no failure, retry or warning logged", w == 0, "%d warnings or errors from the app (run with -v to see them)", w)
}

// Print writes the figures and the checks.
func Print(w io.Writer, r Result) {
	o := r.Opt
	if r.Setup == 0 {
		return // the run stopped before it measured anything
	}
	tls := "plain"
	if o.SMTPTLS {
		tls = "STARTTLS"
	}
	ack := "AcknowledgeToken called directly"
	if o.Ack == "http" {
		ack = "GET link + POST confirm over loopback HTTP"
	}
	fmt.Fprintf(w, "campaign: %d POCs in %d participating States (of %d), 3 levels, %s\n", o.N, r.Participants, r.States, o.Engine)
	fmt.Fprintf(w, "          %d job workers, SMTP %s to 127.0.0.1, acknowledgements: %s by %d clients\n", o.Workers, tls, ack, o.Clients)
	fmt.Fprintf(w, "          setup (not timed below): %s; mails %d bytes on average\n", r.Setup.Round(time.Millisecond), r.MailBytes/int64(max(o.N, 1)))
	fmt.Fprintf(w, "          load average before: %s, after: %s (on %d CPUs)\n\n", r.Load[0], r.Load[1], runtime.NumCPU())
	if r.Enqueue == 0 {
		return
	}
	abc := r.Enqueue + r.Deliver + r.Acknowledge
	fmt.Fprintf(w, "%-44s %11s %11s %11s %12s\n", "phase", "total", "per item", "items/s", "vs baseline")
	row := func(name string, d time.Duration) {
		ratio := "-"
		if r.Baseline > 0 {
			ratio = fmt.Sprintf("%.2fx", float64(d)/float64(r.Baseline))
		}
		per, rate := d/time.Duration(max(o.N, 1)), 0.0
		if d > 0 {
			rate = float64(o.N) / d.Seconds()
		}
		fmt.Fprintf(w, "%-44s %11s %11s %11.0f %12s\n", name, d.Round(time.Millisecond), per.Round(time.Microsecond), rate, ratio)
	}
	row("A enqueue (Create + ping.open job)", r.Enqueue)
	row("B deliver (workers until sink has N)", r.Deliver)
	row("C acknowledge (read mails + confirm)", r.Acknowledge)
	row("  of which reading the links from mails", r.Parse)
	row("A+B+C", abc)
	row(fmt.Sprintf("baseline (same mails, %d plain send loops)", o.Workers), r.Baseline)
	fmt.Fprintf(w, "(stopping the workers after B took %s)\n", r.Drain.Round(time.Millisecond))
	if r.Baseline > 0 {
		fmt.Fprintf(w, "\nratio (A+B+C) / baseline: %.2fx    ratio B / baseline: %.2fx\n", float64(abc)/float64(r.Baseline), float64(r.Deliver)/float64(r.Baseline))
	}
	fmt.Fprintln(w, "\nchecks")
	for _, c := range r.Checks {
		v := "ok  "
		if !c.OK {
			v = "FAIL"
		}
		fmt.Fprintf(w, "  %s %-38s %s\n", v, c.Name, c.Detail)
	}
}

// freshSchema makes a new schema in the PostgreSQL database at base and
// returns a URL that uses it, and the function that drops it.
func freshSchema(ctx context.Context, base string) (string, func(), error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", nil, fmt.Errorf("postgres URL: %w", err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "bench_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return "", nil, err
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		return "", nil, fmt.Errorf("create schema: %w", err)
	}
	drop := func() {
		// The run's context may have run out: dropping must not depend on it.
		dctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		db, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer db.Close()
		if _, err := db.ExecContext(dctx, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			fmt.Fprintf(os.Stderr, "bench: drop schema %s: %v\n", schema, err)
		}
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), drop, nil
}

// hostTB lets smtptest.Start, written for tests, run in this program: the
// sink is closed by the caller, and a failure to start comes back as an
// error.
type hostTB struct{ testing.TB }

type startFailure struct{ msg string }

func (hostTB) Helper()                   {}
func (hostTB) Cleanup(func())            {}
func (hostTB) Fatal(args ...any)         { panic(startFailure{fmt.Sprint(args...)}) }
func (hostTB) Fatalf(f string, a ...any) { panic(startFailure{fmt.Sprintf(f, a...)}) }

func startSink(opt smtptest.Options) (s *smtptest.Server, err error) {
	defer func() {
		if p := recover(); p != nil {
			f, ok := p.(startFailure)
			if !ok {
				panic(p)
			}
			err = errors.New(f.msg)
		}
	}()
	return smtptest.Start(hostTB{}, opt), nil
}

// countingHandler counts the app's warnings and errors (job failures,
// retries, fenced completions) and passes them on.
type countingHandler struct {
	next  slog.Handler
	count *atomic.Int64
}

func (h *countingHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn
}

func (h *countingHandler) Handle(ctx context.Context, r slog.Record) error {
	h.count.Add(1)
	return h.next.Handle(ctx, r)
}

func (h *countingHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &countingHandler{next: h.next.WithAttrs(as), count: h.count}
}

func (h *countingHandler) WithGroup(name string) slog.Handler {
	return &countingHandler{next: h.next.WithGroup(name), count: h.count}
}
