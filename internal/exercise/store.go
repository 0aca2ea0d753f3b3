package exercise

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/scenario"
	"github.com/detente/detente/internal/store"
)

// The SQL of the exercise tables, and only of those.

type scanner interface{ Scan(...any) error }

// runCols are a run without its scenario's snapshot, which lists never
// decode: the scenario's id, version, title and duration come from
// columns of their own. runFullCols add the snapshot.
const (
	runCols = `r.id, r.director_state, r.scenario_id, r.scenario_version, r.scenario_title, r.scenario_ms, r.span_ms, r.title, r.levels,
	r.factor, r.status, r.started_at, r.paused_at, r.paused_ms, r.ended_at, r.planned_start, r.time_zone, r.sequence, r.cancelled,
	r.version, r.created_at, r.updated_at, r.updated_by`
	runFullCols = runCols + `, r.scenario`
)

func utcPtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

// scanRun reads runCols, and the snapshot after them when full.
func scanRun(row scanner, full bool) (Run, error) {
	var r Run
	var snap, levels, status string
	var started, paused, ended, planned sql.NullTime
	var pausedMS, scenarioMS, spanMS int64
	var cancelled int
	dst := []any{&r.ID, &r.DirectorState, &r.Scenario.ID, &r.Scenario.Version, &r.Scenario.Title, &scenarioMS, &spanMS, &r.Title, &levels,
		&r.Factor, &status, &started, &paused, &pausedMS, &ended, &planned, &r.TimeZone, &r.Sequence, &cancelled,
		&r.Version, &r.CreatedAt, &r.UpdatedAt, &r.UpdatedBy}
	if full {
		dst = append(dst, &snap)
	}
	if err := row.Scan(dst...); err != nil {
		return r, err
	}
	if full {
		if err := json.Unmarshal([]byte(snap), &r.Scenario); err != nil {
			return r, err
		}
	}
	r.Scenario.Duration, r.Span = time.Duration(scenarioMS)*time.Millisecond, time.Duration(spanMS)*time.Millisecond
	if err := json.Unmarshal([]byte(levels), &r.Levels); err != nil {
		return r, err
	}
	r.Status = Status(status)
	r.StartedAt, r.PausedAt, r.EndedAt, r.PlannedStart = utcPtr(started), utcPtr(paused), utcPtr(ended), utcPtr(planned)
	r.Cancelled = cancelled != 0
	r.Paused = time.Duration(pausedMS) * time.Millisecond
	r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
	return r, nil
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v) // the values marshalled here always marshal
	return string(b)
}

func ms(d time.Duration) int64 { return d.Milliseconds() }

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func fromMS(n int64) time.Duration { return time.Duration(n) * time.Millisecond }

func insertRun(ctx context.Context, tx *sql.Tx, r Run, createdBy string) error {
	levels := r.Levels
	if levels == nil {
		levels = []scenario.Level{}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO exercise_runs (id, director_state, scenario_id, scenario_version, scenario, scenario_title,
		scenario_ms, span_ms, title, levels, factor, status, paused_ms, planned_start, time_zone, sequence, cancelled, version, created_by,
		created_at, updated_at, updated_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 0, $13, $14, $15, 0, $16, $17, $18, $19, $20)`,
		r.ID, r.DirectorState, r.Scenario.ID, r.Scenario.Version, jsonOf(r.Scenario), r.Scenario.Title, ms(r.Scenario.Duration), ms(r.Span),
		r.Title, jsonOf(levels), r.Factor, string(r.Status), store.NullTime(r.PlannedStart), r.TimeZone, r.Sequence, r.Version, createdBy,
		r.CreatedAt, r.UpdatedAt, r.UpdatedBy)
	if err != nil {
		return err
	}
	for k, a := range r.Assignments {
		if _, err := tx.ExecContext(ctx, `INSERT INTO exercise_run_states (run_id, role_key, state_code, position) VALUES ($1, $2, $3, $4)`,
			r.ID, a.Role, a.State, k); err != nil {
			return err
		}
	}
	return nil
}

// updateClock writes r's status, clock and schedule over version r.Version-1 and
// reports whether that version was still the current one.
func updateClock(ctx context.Context, tx *sql.Tx, r Run) (bool, error) {
	n, err := store.Changed(tx.ExecContext(ctx, `UPDATE exercise_runs SET status = $1, started_at = $2, paused_at = $3, paused_ms = $4,
		ended_at = $5, version = $6, updated_at = $7, updated_by = $8, planned_start = $9, time_zone = $10, sequence = $11, cancelled = $12
		WHERE id = $13 AND version = $14`,
		string(r.Status), store.NullTime(r.StartedAt), store.NullTime(r.PausedAt), ms(r.Paused), store.NullTime(r.EndedAt),
		r.Version, r.UpdatedAt, r.UpdatedBy, store.NullTime(r.PlannedStart), r.TimeZone, r.Sequence, boolInt(r.Cancelled), r.ID, r.Version-1))
	return n > 0, err
}

func selectRun(ctx context.Context, q store.Queryer, id string) (Run, error) {
	r, err := scanRun(q.QueryRowContext(ctx, `SELECT `+runFullCols+` FROM exercise_runs r WHERE r.id = $1`, id), true)
	if err != nil {
		return r, err
	}
	runs := []Run{r}
	if err := loadAssignments(ctx, q, runs); err != nil {
		return r, err
	}
	return runs[0], nil
}

// loadAssignments fills the roles' States of runs in one query, in the
// order of each scenario's roles (the order they were inserted in).
func loadAssignments(ctx context.Context, q store.Queryer, runs []Run) error {
	if len(runs) == 0 {
		return nil
	}
	ids := make([]string, len(runs))
	at := map[string]int{}
	for k, r := range runs {
		ids[k] = r.ID
		at[r.ID] = k
	}
	rows, err := q.QueryContext(ctx, `SELECT run_id, role_key, state_code FROM exercise_run_states WHERE run_id IN (`+placeholders(1, len(ids))+`)
		ORDER BY run_id, position`, anys(ids)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for k := range runs {
		runs[k].Assignments = nil
	}
	for rows.Next() {
		var id, role, st string
		if err := rows.Scan(&id, &role, &st); err != nil {
			return err
		}
		r := &runs[at[id]]
		r.Assignments = append(r.Assignments, Assignment{Role: role, State: st})
	}
	return rows.Err()
}

func placeholders(from, n int) string {
	b := make([]byte, 0, n*4)
	for k := range n {
		if k > 0 {
			b = append(b, ", "...)
		}
		b = append(b, '$')
		b = append(b, []byte(strconv.Itoa(from+k))...)
	}
	return string(b)
}

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for k, s := range ss {
		out[k] = s
	}
	return out
}

// visibleSQL is the condition on exercise_runs r under which a sees a
// run; its arguments start at $from.
func visibleSQL(a actor.Actor, from int) (string, []any) {
	if a.IsSecretariat() {
		return `r.director_state = ''`, nil
	}
	n := "$" + strconv.Itoa(from)
	return `(r.director_state = ` + n + ` OR EXISTS (SELECT 1 FROM exercise_run_states s WHERE s.run_id = r.id AND s.state_code = ` + n + `))`, []any{a.State}
}

type listKey struct {
	at time.Time
	id string
}

// listRuns reads limit runs a sees, newest first, after the key.
func listRuns(ctx context.Context, q store.Queryer, a actor.Actor, after *listKey, limit int) ([]Run, error) {
	cond, args := visibleSQL(a, 1)
	query := `SELECT ` + runCols + ` FROM exercise_runs r WHERE ` + cond
	if after != nil {
		n := len(args)
		query += ` AND (r.created_at, r.id) < ($` + strconv.Itoa(n+1) + `, $` + strconv.Itoa(n+2) + `)`
		args = append(args, after.at, after.id)
	}
	query += ` ORDER BY r.created_at DESC, r.id DESC LIMIT ` + strconv.Itoa(limit)
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	runs, err := store.Collect(rows, func(rows *sql.Rows) (Run, error) { return scanRun(rows, false) })
	if err != nil {
		return nil, err
	}
	return runs, loadAssignments(ctx, q, runs)
}

// plannedRuns reads up to limit runs a sees with a planned start from
// since on, soonest first: the runs of a's calendar feed.
func plannedRuns(ctx context.Context, q store.Queryer, a actor.Actor, since time.Time, limit int) ([]Run, error) {
	cond, args := visibleSQL(a, 2)
	rows, err := q.QueryContext(ctx, `SELECT `+runCols+` FROM exercise_runs r WHERE r.planned_start >= $1 AND `+cond+`
		ORDER BY r.planned_start, r.id LIMIT `+strconv.Itoa(limit), append([]any{since}, args...)...)
	if err != nil {
		return nil, err
	}
	runs, err := store.Collect(rows, func(rows *sql.Rows) (Run, error) { return scanRun(rows, false) })
	if err != nil {
		return nil, err
	}
	return runs, loadAssignments(ctx, q, runs)
}

// insertFired records that an inject went out and reports whether it is
// the first to: the row is what keeps an inject from going out twice,
// whichever instance's worker or director's request gets there first.
func insertFired(ctx context.Context, tx *sql.Tx, runID string, f Fired) (bool, error) {
	by := 0
	if f.ByDirector {
		by = 1
	}
	n, err := store.Changed(tx.ExecContext(ctx, `INSERT INTO exercise_injects (run_id, inject_key, delivered_at, scenario_ms, by_director)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (run_id, inject_key) DO NOTHING`, runID, f.Inject, f.DeliveredAt, ms(f.ScenarioAt), by))
	return n > 0, err
}

func selectFired(ctx context.Context, q store.Queryer, runID string) ([]Fired, error) {
	rows, err := q.QueryContext(ctx, `SELECT inject_key, delivered_at, scenario_ms, by_director FROM exercise_injects
		WHERE run_id = $1 ORDER BY scenario_ms, inject_key`, runID)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(rows *sql.Rows) (Fired, error) {
		var f Fired
		var n int64
		var by int
		err := rows.Scan(&f.Inject, &f.DeliveredAt, &n, &by)
		f.DeliveredAt, f.ScenarioAt, f.ByDirector = f.DeliveredAt.UTC(), fromMS(n), by == 1
		return f, err
	})
}

func insertDelivery(ctx context.Context, tx *sql.Tx, d Delivery) error {
	enc := 0
	if d.Encrypted {
		enc = 1
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO exercise_deliveries (id, run_id, inject_key, state_code, poc_id, level, encrypted, delivered_at, scenario_ms)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, d.ID, d.RunID, d.Inject, d.State, d.POCID, string(d.Level), enc, d.DeliveredAt, ms(d.ScenarioAt))
	return err
}

// selectDeliveries reads a run's deliveries; with pocs set, only those to
// these points of contact.
func selectDeliveries(ctx context.Context, q store.Queryer, runID string, pocs []string, onlyPOCs bool) ([]Delivery, error) {
	query := `SELECT id, run_id, inject_key, state_code, poc_id, level, encrypted, delivered_at, scenario_ms FROM exercise_deliveries WHERE run_id = $1`
	args := []any{runID}
	if onlyPOCs {
		if len(pocs) == 0 {
			return nil, nil
		}
		query += ` AND poc_id IN (` + placeholders(2, len(pocs)) + `)`
		args = append(args, anys(pocs)...)
	}
	rows, err := q.QueryContext(ctx, query+` ORDER BY scenario_ms, inject_key, state_code, poc_id`, args...)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(rows *sql.Rows) (Delivery, error) {
		var d Delivery
		var level string
		var enc int
		var n int64
		err := rows.Scan(&d.ID, &d.RunID, &d.Inject, &d.State, &d.POCID, &level, &enc, &d.DeliveredAt, &n)
		d.Level, d.Encrypted, d.DeliveredAt, d.ScenarioAt = scenario.Level(level), enc == 1, d.DeliveredAt.UTC(), fromMS(n)
		return d, err
	})
}

// outcomeRow is an exercise_outcomes row.
type outcomeRow struct {
	Inject, Expectation, State string
	Level                      scenario.Level
	DeliveredAt                time.Duration
	Outcome                    Outcome
	Measured                   *time.Duration
	ActionID                   string
}

func insertOutcome(ctx context.Context, tx *sql.Tx, runID string, o outcomeRow) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO exercise_outcomes (run_id, inject_key, expectation_key, state_code, level, delivered_ms, status)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (run_id, inject_key, expectation_key, state_code) DO NOTHING`,
		runID, o.Inject, o.Expectation, o.State, string(o.Level), ms(o.DeliveredAt), string(Pending))
	return err
}

// selectOutcomes reads a run's outcomes; with state set, that State's.
func selectOutcomes(ctx context.Context, q store.Queryer, runID, state string, pendingOnly bool) ([]outcomeRow, error) {
	query := `SELECT inject_key, expectation_key, state_code, level, delivered_ms, status, measured_ms, action_id FROM exercise_outcomes WHERE run_id = $1`
	args := []any{runID}
	if state != "" {
		query += ` AND state_code = $2`
		args = append(args, state)
	}
	if pendingOnly {
		query += ` AND status = 'pending'`
	}
	rows, err := q.QueryContext(ctx, query+` ORDER BY inject_key, expectation_key, state_code`, args...)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(rows *sql.Rows) (outcomeRow, error) {
		var o outcomeRow
		var level, status string
		var delivered int64
		var measured sql.NullInt64
		var action sql.NullString
		err := rows.Scan(&o.Inject, &o.Expectation, &o.State, &level, &delivered, &status, &measured, &action)
		o.Level, o.DeliveredAt, o.Outcome, o.ActionID = scenario.Level(level), fromMS(delivered), Outcome(status), action.String
		if measured.Valid {
			d := fromMS(measured.Int64)
			o.Measured = &d
		}
		return o, err
	})
}

// settleOutcome records the first matching action of a pending outcome;
// it reports false when another action got there first.
func settleOutcome(ctx context.Context, tx *sql.Tx, runID string, o outcomeRow, status Outcome, measured time.Duration, actionID string) (bool, error) {
	n, err := store.Changed(tx.ExecContext(ctx, `UPDATE exercise_outcomes SET status = $1, measured_ms = $2, action_id = $3
		WHERE run_id = $4 AND inject_key = $5 AND expectation_key = $6 AND state_code = $7 AND status = 'pending'`,
		string(status), ms(measured), actionID, runID, o.Inject, o.Expectation, o.State))
	return n > 0, err
}

// missPending marks what is still pending at the end of a run as missed.
func missPending(ctx context.Context, tx *sql.Tx, runID string) (int64, error) {
	return store.Changed(tx.ExecContext(ctx, `UPDATE exercise_outcomes SET status = 'missed' WHERE run_id = $1 AND status = 'pending'`, runID))
}

func insertAction(ctx context.Context, tx *sql.Tx, x Action) error {
	fields := x.Fields
	if fields == nil {
		fields = map[string]string{}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO exercise_actions (id, run_id, inject_key, state_code, level, action, text, fields, to_role, to_level,
		account_id, by_label, at, scenario_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		x.ID, x.RunID, x.Inject, x.State, string(x.Level), string(x.Action), x.Text, jsonOf(fields), x.ToRole, string(x.ToLevel),
		x.AccountID, x.By, x.At, ms(x.ScenarioAt))
	return err
}

// selectActions reads a run's actions in the order they were taken; with
// state set, that State's.
func selectActions(ctx context.Context, q store.Queryer, runID, state string) ([]Action, error) {
	query := `SELECT id, run_id, inject_key, state_code, level, action, text, fields, to_role, to_level, account_id, by_label, at, scenario_ms
		FROM exercise_actions WHERE run_id = $1`
	args := []any{runID}
	if state != "" {
		query += ` AND state_code = $2`
		args = append(args, state)
	}
	rows, err := q.QueryContext(ctx, query+` ORDER BY at, id`, args...)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(rows *sql.Rows) (Action, error) {
		var x Action
		var level, action, fields, toLevel string
		var n int64
		if err := rows.Scan(&x.ID, &x.RunID, &x.Inject, &x.State, &level, &action, &x.Text, &fields, &x.ToRole, &toLevel,
			&x.AccountID, &x.By, &x.At, &n); err != nil {
			return x, err
		}
		x.Level, x.Action, x.ToLevel, x.At, x.ScenarioAt = scenario.Level(level), scenario.Action(action), scenario.Level(toLevel), x.At.UTC(), fromMS(n)
		return x, json.Unmarshal([]byte(fields), &x.Fields)
	})
}

func insertNote(ctx context.Context, tx *sql.Tx, n Note) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO exercise_notes (id, run_id, state_code, kind, text, account_id, by_label, at, scenario_ms)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, n.ID, n.RunID, n.State, string(n.Kind), n.Text, n.AccountID, n.By, n.At, ms(n.ScenarioAt))
	return err
}

// selectNotes reads a run's notes in order; with own set, only those of
// the State own.
func selectNotes(ctx context.Context, q store.Queryer, runID string, own *string) ([]Note, error) {
	query := `SELECT id, run_id, state_code, kind, text, account_id, by_label, at, scenario_ms FROM exercise_notes WHERE run_id = $1`
	args := []any{runID}
	if own != nil {
		query += ` AND state_code = $2`
		args = append(args, *own)
	}
	rows, err := q.QueryContext(ctx, query+` ORDER BY at, id`, args...)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(rows *sql.Rows) (Note, error) {
		var n Note
		var kind string
		var s int64
		err := rows.Scan(&n.ID, &n.RunID, &n.State, &kind, &n.Text, &n.AccountID, &n.By, &n.At, &s)
		n.Kind, n.At, n.ScenarioAt = NoteKind(kind), n.At.UTC(), fromMS(s)
		return n, err
	})
}
