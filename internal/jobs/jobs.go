// Package jobs runs deferred work from a table: the transactional outbox
// for side effects (mail, webhooks) and the scheduler for timed work
// (reminders, escalations, campaign closes).
//
// A service enqueues jobs in the same transaction as the change they
// follow from, so there is never a change without its notification nor a
// notification for a change that rolled back. Workers in any number of
// instances claim due jobs with a lease (FOR UPDATE SKIP LOCKED on
// PostgreSQL; SQLite has a single writer) and must present the lease token
// to complete them, so a worker whose lease ran out cannot mark a job that
// another worker took over. In normal operation each job runs once; if a
// worker dies mid-job the job runs again after its lease, so handlers must
// be idempotent: each job's ID is a stable idempotency key (e.g. for an
// email's Message-ID).
package jobs

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	mrand "math/rand/v2"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/store"
)

// New describes a job to enqueue.
type New struct {
	Kind        string
	Payload     any       // marshalled to JSON
	RunAt       time.Time // zero: now
	MaxAttempts int       // zero: DefaultMaxAttempts
	DedupeKey   string    // optional: a second job with the same key is dropped
}

// DefaultMaxAttempts bounds retries of a job that keeps failing.
const DefaultMaxAttempts = 8

// Job is a claimed job, as a handler sees it.
type Job struct {
	ID          string
	Kind        string
	Payload     json.RawMessage
	RunAt       time.Time
	Attempt     int // 1 for the first run
	MaxAttempts int
	DedupeKey   string
}

// Decode unmarshals the payload into v.
func (j Job) Decode(v any) error { return json.Unmarshal(j.Payload, v) }

// Enqueue writes a job inside tx, the caller's transaction.
func Enqueue(ctx context.Context, tx *sql.Tx, now time.Time, n New) (string, error) {
	id, args, err := n.row(now)
	if err != nil {
		return "", err
	}
	if err := insertJob(ctx, tx, args); err != nil {
		return "", fmt.Errorf("enqueue %s: %w", n.Kind, err)
	}
	return id, nil
}

// EnqueueMany writes jobs inside tx as Enqueue does, many rows to a
// statement: a campaign enqueues thousands at once, and a statement each
// costs a round trip on PostgreSQL and a parse on SQLite. As with Enqueue,
// a job whose DedupeKey is already taken is dropped, including by a job
// earlier in ns. The IDs are in the order of ns. engine is tx's, for the
// placeholders (see values).
func EnqueueMany(ctx context.Context, tx *sql.Tx, engine store.Engine, now time.Time, ns []New) ([]string, error) {
	ids := make([]string, 0, len(ns))
	for len(ns) > 0 {
		chunk := ns[:min(len(ns), batchRows)]
		ns = ns[len(chunk):]
		args := make([]any, 0, len(chunk)*jobCols)
		for _, n := range chunk {
			id, row, err := n.row(now)
			if err != nil {
				return nil, err
			}
			ids = append(ids, id)
			args = append(args, row...)
		}
		if err := insertJobRows(ctx, tx, engine, len(chunk), args); err != nil {
			return nil, fmt.Errorf("enqueue %d jobs: %w", len(chunk), err)
		}
	}
	return ids, nil
}

// row gives a new job's ID and its column values, in insertJobs' order.
func (n New) row(now time.Time) (string, []any, error) {
	payload, err := json.Marshal(n.Payload)
	if err != nil {
		return "", nil, fmt.Errorf("job payload: %w", err)
	}
	if n.RunAt.IsZero() {
		n.RunAt = now
	}
	if n.MaxAttempts <= 0 {
		n.MaxAttempts = DefaultMaxAttempts
	}
	var key any
	if n.DedupeKey != "" {
		key = n.DedupeKey
	}
	id := uuid.Must(uuid.NewV7()).String()
	return id, []any{id, n.Kind, string(payload), n.RunAt.UTC(), now.UTC(), n.MaxAttempts, key}, nil
}

// Handler does one job. Returning an error retries it later, unless the
// error is Permanent.
type Handler func(ctx context.Context, j Job) error

type permanent struct{ err error }

func (p permanent) Error() string { return p.err.Error() }
func (p permanent) Unwrap() error { return p.err }

// Permanent marks an error that retrying cannot fix (a refused recipient,
// a malformed payload): the job fails at once.
func Permanent(err error) error { return permanent{err} }

// IsPermanent reports whether err was marked Permanent.
func IsPermanent(err error) bool { var p permanent; return errors.As(err, &p) }

// Options tune a Queue.
type Options struct {
	Instance string        // names this process in leased_by; default random
	Lease    time.Duration // how long a claim holds; a handler gets this long
	Workers  int           // concurrent handlers in Run
	Poll     time.Duration // wait between empty polls in Run
	Batch    int           // jobs claimed at once by each worker
	// Backoff gives the delay before retry number attempt (1-based).
	Backoff func(attempt int) time.Duration
	// Keep is how long finished jobs stay in the table (default 30 days):
	// long enough to answer "was it sent?", short enough that the table
	// does not grow for ever. Failed jobs stay until retried.
	Keep time.Duration
	// PurgeDelay is how long after Run starts the first purge runs (default
	// 30 seconds): a start after a long pause finds a backlog, and the
	// server should be answering before the purge competes for the writer.
	PurgeDelay time.Duration
}

func (o *Options) fill() {
	if o.Instance == "" {
		var b [4]byte
		_, _ = rand.Read(b[:])
		o.Instance = "detente-" + hex.EncodeToString(b[:])
	}
	if o.Lease <= 0 {
		o.Lease = 2 * time.Minute
	}
	if o.Workers <= 0 {
		o.Workers = 4
	}
	if o.Poll <= 0 {
		o.Poll = time.Second
	}
	if o.PurgeDelay <= 0 {
		o.PurgeDelay = 30 * time.Second
	}
	if o.Batch <= 0 {
		o.Batch = 8
	}
	if o.Backoff == nil {
		o.Backoff = ExponentialBackoff(30*time.Second, time.Hour)
	}
	if o.Keep <= 0 {
		o.Keep = 30 * 24 * time.Hour
	}
}

// ExponentialBackoff doubles the delay from base up to max, with up to a
// quarter of random jitter so jobs that failed together do not retry in
// lockstep.
func ExponentialBackoff(base, max time.Duration) func(int) time.Duration {
	return func(attempt int) time.Duration {
		d := time.Duration(float64(base) * math.Pow(2, float64(attempt-1)))
		if d > max || d <= 0 {
			d = max
		}
		return d + time.Duration(mrand.Int64N(int64(d)/4+1))
	}
}

// Queue claims and runs jobs.
type Queue struct {
	db       *store.DB
	clock    clock.Clock
	log      *slog.Logger
	opt      Options
	mu       sync.RWMutex
	handlers map[string]Handler
	fenced   int64 // completions refused because the lease had passed on
}

// NewQueue returns a queue over db.
func NewQueue(db *store.DB, c clock.Clock, log *slog.Logger, opt Options) *Queue {
	opt.fill()
	return &Queue{db: db, clock: c, log: log, opt: opt, handlers: map[string]Handler{}}
}

// Register sets the handler for a kind of job.
func (q *Queue) Register(kind string, h Handler) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.handlers[kind] = h
}

func (q *Queue) handler(kind string) (Handler, bool) {
	q.mu.RLock()
	defer q.mu.RUnlock()
	h, ok := q.handlers[kind]
	return h, ok
}

// claim leases up to n due jobs.
func (q *Queue) claim(ctx context.Context, n int) ([]Job, string, error) {
	now := q.clock.Now()
	token := uuid.Must(uuid.NewV7()).String()
	out, err := lease(ctx, q.db.W, q.db.Engine, token, q.opt.Instance, now, now.Add(q.opt.Lease), n)
	if err != nil {
		return out, "", err
	}
	return out, token, nil
}

// RunDue runs due jobs until none is left, for tests, the demo and tools
// that move a clock by hand; it returns how many it ran. It gives up after
// maxBatches claims, so handlers that keep enqueuing due work cannot spin
// for ever.
func (q *Queue) RunDue(ctx context.Context, maxBatches int) (int, error) {
	total := 0
	for range maxBatches {
		n, err := q.RunOnce(ctx)
		total += n
		if err != nil || n == 0 {
			return total, err
		}
	}
	return total, fmt.Errorf("jobs still due after %d batches", maxBatches)
}

// RunOnce claims a batch of due jobs and runs them one after another. It
// returns how many it ran.
//
// The outcomes of a batch are recorded together, in one transaction with
// the writes the handlers left for it (OnDone): a commit per batch rather
// than two per job, which is what a campaign of ten thousand mails waits
// on, above all on PostgreSQL. Outcomes are recorded before the lease is
// half gone, so a slow job cannot cost the others their lease.
func (q *Queue) RunOnce(ctx context.Context) (int, error) {
	batch, token, err := q.claim(ctx, q.opt.Batch)
	if err != nil || len(batch) == 0 {
		return 0, err
	}
	claimed := time.Now()
	outs := make([]outcome, 0, len(batch))
	for _, j := range batch {
		if len(outs) > 0 && time.Since(claimed) > q.opt.Lease/2 {
			q.record(ctx, token, outs)
			outs = outs[:0]
		}
		outs = append(outs, q.run(ctx, j))
	}
	q.record(ctx, token, outs)
	return len(batch), nil
}

// outcome is how one run ended: err nil for done, with the writes its
// handler left to commit with it.
type outcome struct {
	job  Job
	err  error
	then []Then
}

// Then is a write a handler leaves to be committed in the transaction that
// records its job done (e.g. "this challenge's mail went out"), so that
// the two land together.
type Then func(ctx context.Context, tx *sql.Tx) error

type thenKey struct{}

// OnDone leaves fn to run in the transaction that records the job of ctx
// done; it does not run if the job fails. Outside a job it runs at once,
// in a transaction of its own.
func OnDone(ctx context.Context, db *store.DB, fn Then) error {
	if slot, ok := ctx.Value(thenKey{}).(*[]Then); ok {
		*slot = append(*slot, fn)
		return nil
	}
	return db.Tx(ctx, func(tx *sql.Tx) error { return fn(ctx, tx) })
}

// run executes one job. Shutting down does not cut a handler short: it
// gets its lease to finish.
func (q *Queue) run(ctx context.Context, j Job) outcome {
	var then []Then
	hctx, cancel := context.WithTimeout(context.WithValue(context.WithoutCancel(ctx), thenKey{}, &then), q.opt.Lease)
	defer cancel()
	err := q.call(hctx, j)
	if err != nil {
		then = nil
	}
	return outcome{job: j, err: err, then: then}
}

// record writes the outcomes under token in one transaction; if that
// fails, each in its own, so one bad write does not lose the others.
func (q *Queue) record(ctx context.Context, token string, outs []outcome) {
	if len(outs) == 0 {
		return
	}
	wctx := context.WithoutCancel(ctx)
	now := q.clock.Now()
	for _, o := range outs {
		q.logOutcome(o)
	}
	var fenced []outcome
	err := q.db.Tx(wctx, func(tx *sql.Tx) error {
		fenced = fenced[:0]
		for _, o := range outs {
			n, err := q.write(wctx, tx, token, now, o)
			if err != nil {
				return err
			}
			if n == 0 {
				fenced = append(fenced, o)
			}
		}
		return nil
	})
	if err != nil {
		q.log.Warn("recording a batch of job outcomes; recording them one by one", "err", err)
		fenced = fenced[:0]
		for _, o := range outs {
			var n int64
			werr := q.db.Tx(wctx, func(tx *sql.Tx) (err error) {
				n, err = q.write(wctx, tx, token, now, o)
				return err
			})
			if werr != nil {
				q.log.Error("recording job outcome", "kind", o.job.Kind, "id", o.job.ID, "err", werr)
				continue
			}
			if n == 0 {
				fenced = append(fenced, o)
			}
		}
	}
	for _, o := range fenced {
		q.mu.Lock()
		q.fenced++
		q.mu.Unlock()
		q.log.Warn("job lease had passed to another worker; outcome not recorded", "kind", o.job.Kind, "id", o.job.ID)
	}
}

// write records one outcome in tx and, for a job done, the writes its
// handler left; it returns 0 when the lease had passed on, and then
// writes nothing of the handler's.
func (q *Queue) write(ctx context.Context, tx *sql.Tx, token string, now time.Time, o outcome) (int64, error) {
	j, err := o.job, o.err
	switch {
	case err == nil:
		n, werr := markDone(ctx, tx, j.ID, token, now)
		if werr != nil || n == 0 {
			return n, werr
		}
		for _, fn := range o.then {
			if err := fn(ctx, tx); err != nil {
				return 0, err
			}
		}
		return n, nil
	case IsPermanent(err) || j.Attempt >= j.MaxAttempts:
		return markFailed(ctx, tx, j.ID, token, now, truncate(err.Error(), 2000))
	default:
		return markRetry(ctx, tx, j.ID, token, now.Add(q.opt.Backoff(j.Attempt)), truncate(err.Error(), 2000))
	}
}

func (q *Queue) logOutcome(o outcome) {
	j, err := o.job, o.err
	switch {
	case err == nil:
	case IsPermanent(err) || j.Attempt >= j.MaxAttempts:
		q.log.Error("job failed for good", "kind", j.Kind, "id", j.ID, "attempt", j.Attempt, "err", err)
	default:
		q.log.Warn("job failed; will retry", "kind", j.Kind, "id", j.ID, "attempt", j.Attempt, "err", err)
	}
}

// call runs the handler, turning a panic into an error.
func (q *Queue) call(ctx context.Context, j Job) (err error) {
	h, ok := q.handler(j.Kind)
	if !ok {
		return Permanent(fmt.Errorf("no handler for job kind %q", j.Kind))
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("handler panicked: %v", p)
		}
	}()
	return h(ctx, j)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// Fenced counts completions refused because another worker held the job.
func (q *Queue) Fenced() int64 {
	q.mu.RLock()
	defer q.mu.RUnlock()
	return q.fenced
}

// Run works until ctx ends, with Options.Workers concurrent workers, then
// waits for the handlers in flight.
func (q *Queue) Run(ctx context.Context) {
	var wg sync.WaitGroup
	// A purge shortly after start, once the server is answering, and then
	// hourly; every instance may run it, as deleting what another already
	// deleted changes nothing.
	wg.Add(1)
	go func() {
		defer wg.Done()
		wait := q.opt.PurgeDelay
		for {
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
			if n, err := q.Purge(ctx); err != nil && ctx.Err() == nil {
				q.log.Warn("purging finished jobs", "err", err)
			} else if n > 0 {
				q.log.Info("purged finished jobs", "count", n)
			}
			wait = time.Hour
		}
	}()
	for i := 0; i < q.opt.Workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				n, err := q.RunOnce(ctx)
				if err != nil && ctx.Err() == nil {
					q.log.Error("job queue", "err", err)
				}
				if n == 0 || err != nil {
					select {
					case <-ctx.Done():
					case <-time.After(q.opt.Poll):
					}
				}
			}
		}()
	}
	wg.Wait()
}

// Stats counts jobs waiting (due or not), leased now, and given up.
type Stats struct{ Queued, Leased, Failed int }

// Stats reads the queue's counts.
func (q *Queue) Stats(ctx context.Context) (Stats, error) {
	return countJobs(ctx, q.db.R, q.clock.Now())
}

// Failure is a job that was given up, for the operator to look into.
type Failure struct {
	ID        string
	Kind      string
	Attempts  int
	CreatedAt time.Time
	FailedAt  time.Time
	LastError string
}

// Failures lists the jobs given up, newest first.
func (q *Queue) Failures(ctx context.Context, limit int) ([]Failure, error) {
	return failedJobs(ctx, q.db.R, limit)
}

// ErrNotFailed is returned by Retry for a job that is not given up.
var ErrNotFailed = errors.New("no failed job with this id")

// Retry puts a failed job back in the queue, due now, with its attempts
// counted afresh; it runs inside tx so the caller can audit the decision.
// Retrying a mail whose server refused it for good sends it again: that
// is the operator's call, once the address is fixed.
func Retry(ctx context.Context, tx *sql.Tx, now time.Time, id string) error {
	n, err := requeueFailed(ctx, tx, id, now)
	if err != nil {
		return fmt.Errorf("retry job: %w", err)
	}
	if n == 0 {
		return ErrNotFailed
	}
	return nil
}

// purgeBatch bounds one purge statement, so that on SQLite the single
// writer is held for milliseconds at a time, not for the whole backlog.
const purgeBatch = 2000

// Purge deletes the jobs finished longer ago than Options.Keep, a batch at a
// time through the jobs_done index, and returns how many. Failed and waiting
// jobs are never purged.
func (q *Queue) Purge(ctx context.Context) (int64, error) {
	cutoff := q.clock.Now().Add(-q.opt.Keep)
	var total int64
	for {
		n, err := purgeDone(ctx, q.db.W, cutoff, purgeBatch)
		if err != nil {
			return total, err
		}
		total += n
		if n < purgeBatch || ctx.Err() != nil {
			return total, ctx.Err()
		}
	}
}
