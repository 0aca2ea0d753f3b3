package survey

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/detente/detente/internal/store"
)

// The SQL of the survey tables.

type scanner interface{ Scan(...any) error }

func jsonOf(v any) string {
	b, _ := json.Marshal(v) // string slices always marshal
	return string(b)
}

const cycleCols = `c.id, c.name, c.opens_at, c.deadline, c.created_at, c.created_by`

func scanCycle(r scanner) (Cycle, error) {
	var c Cycle
	err := r.Scan(&c.ID, &c.Name, &c.Opens, &c.Deadline, &c.CreatedAt, &c.CreatedBy)
	c.Opens, c.Deadline, c.CreatedAt = c.Opens.UTC(), c.Deadline.UTC(), c.CreatedAt.UTC()
	return c, err
}

func insertCycle(ctx context.Context, tx *sql.Tx, c Cycle) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO survey_cycles (id, name, opens_at, deadline, created_at, created_by)
		VALUES ($1, $2, $3, $4, $5, $6)`, c.ID, c.Name, c.Opens, c.Deadline, c.CreatedAt, c.CreatedBy)
	return err
}

func selectCycle(ctx context.Context, q store.Queryer, id string) (Cycle, error) {
	return scanCycle(q.QueryRowContext(ctx, `SELECT `+cycleCols+` FROM survey_cycles c WHERE c.id = $1`, id))
}

func cycleNamed(ctx context.Context, q store.Queryer, name string) (bool, error) {
	var one int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM survey_cycles WHERE name = $1`, name).Scan(&one)
	if store.NoRows(err) {
		return false, nil
	}
	return err == nil, err
}

// newestCycle is the cycle opened last by now.
func newestCycle(ctx context.Context, q store.Queryer, now time.Time) (Cycle, error) {
	return scanCycle(q.QueryRowContext(ctx, `SELECT `+cycleCols+` FROM survey_cycles c WHERE c.opens_at <= $1
		ORDER BY c.opens_at DESC, c.id DESC LIMIT 1`, now))
}

// listCycles reads cycles newest first, after the key.
func listCycles(ctx context.Context, q store.Queryer, after *cycleKey, limit int) ([]Cycle, error) {
	where, args := "", []any{}
	if after != nil {
		where, args = ` WHERE (c.opens_at, c.id) < ($1, $2)`, []any{after.at, after.id}
	}
	args = append(args, limit)
	rows, err := q.QueryContext(ctx, `SELECT `+cycleCols+` FROM survey_cycles c`+where+
		fmt.Sprintf(` ORDER BY c.opens_at DESC, c.id DESC LIMIT $%d`, len(args)), args...)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(r *sql.Rows) (Cycle, error) { return scanCycle(r) })
}

const reportCols = `r.id, r.state_code, r.status, r.visibility, r.previous_id, r.version, r.created_at, r.updated_at, r.updated_by,
	r.submitted_at, r.published_at, ` + cycleCols

const reportFrom = ` FROM survey_reports r JOIN survey_cycles c ON c.id = r.cycle_id`

func scanReport(r scanner) (Report, error) {
	var x Report
	var status, vis string
	var sub, pub sql.NullTime
	err := r.Scan(&x.ID, &x.State, &status, &vis, &x.Previous, &x.Version, &x.CreatedAt, &x.UpdatedAt, &x.UpdatedBy, &sub, &pub,
		&x.Cycle.ID, &x.Cycle.Name, &x.Cycle.Opens, &x.Cycle.Deadline, &x.Cycle.CreatedAt, &x.Cycle.CreatedBy)
	if err != nil {
		return x, err
	}
	x.Status, x.Visibility = Status(status), Visibility(vis)
	x.CreatedAt, x.UpdatedAt = x.CreatedAt.UTC(), x.UpdatedAt.UTC()
	c := &x.Cycle
	c.Opens, c.Deadline, c.CreatedAt = c.Opens.UTC(), c.Deadline.UTC(), c.CreatedAt.UTC()
	if sub.Valid {
		t := sub.Time.UTC()
		x.SubmittedAt = &t
	}
	if pub.Valid {
		t := pub.Time.UTC()
		x.PublishedAt = &t
	}
	return x, nil
}

func selectReport(ctx context.Context, q store.Queryer, id string) (Report, error) {
	return scanReport(q.QueryRowContext(ctx, `SELECT `+reportCols+reportFrom+` WHERE r.id = $1`, id))
}

func reportIn(ctx context.Context, q store.Queryer, cycle, state string) (Report, error) {
	return scanReport(q.QueryRowContext(ctx, `SELECT `+reportCols+reportFrom+` WHERE r.cycle_id = $1 AND r.state_code = $2`, cycle, state))
}

// previousReport is the State's report in the newest cycle opened before
// c.
func previousReport(ctx context.Context, q store.Queryer, state string, c Cycle) (Report, error) {
	return scanReport(q.QueryRowContext(ctx, `SELECT `+reportCols+reportFrom+` WHERE r.state_code = $1 AND (c.opens_at, c.id) < ($2, $3)
		ORDER BY c.opens_at DESC, c.id DESC LIMIT 1`, state, c.Opens, c.ID))
}

func insertReport(ctx context.Context, tx *sql.Tx, r Report) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO survey_reports (id, cycle_id, state_code, status, visibility, previous_id, version,
		created_at, updated_at, updated_by, submitted_at, published_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		r.ID, r.Cycle.ID, r.State, string(r.Status), string(r.Visibility), r.Previous, r.Version, r.CreatedAt, r.UpdatedAt, r.UpdatedBy,
		store.NullTime(r.SubmittedAt), store.NullTime(r.PublishedAt))
	return err
}

// updateReport writes r over version r.Version-1 and reports whether that
// version was still the current one.
func updateReport(ctx context.Context, tx *sql.Tx, r Report) (bool, error) {
	c, err := store.Changed(tx.ExecContext(ctx, `UPDATE survey_reports SET status = $1, visibility = $2, version = $3, updated_at = $4,
		updated_by = $5, submitted_at = $6, published_at = $7 WHERE id = $8 AND version = $9`,
		string(r.Status), string(r.Visibility), r.Version, r.UpdatedAt, r.UpdatedBy, store.NullTime(r.SubmittedAt),
		store.NullTime(r.PublishedAt), r.ID, r.Version-1))
	return c == 1, err
}

const answerCols = `provision, item, taken, policy, support, actors, measures, examples, challenges, gaps`

func scanAnswer(r scanner) (Answer, error) {
	var a Answer
	var taken, policy, support, actors string
	err := r.Scan(&a.Provision, &a.Item, &taken, &policy, &support, &actors, &a.Measures, &a.Examples, &a.Challenges, &a.Gaps)
	if err != nil {
		return a, err
	}
	a.Taken, a.Policy, a.Support = Choice(taken), Choice(policy), Choice(support)
	return a, json.Unmarshal([]byte(actors), &a.Actors)
}

func selectAnswers(ctx context.Context, q store.Queryer, report string) ([]Answer, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+answerCols+` FROM survey_answers WHERE report_id = $1`, report)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(r *sql.Rows) (Answer, error) { return scanAnswer(r) })
}

func deleteAnswer(ctx context.Context, tx *sql.Tx, report string, s Subject) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM survey_answers WHERE report_id = $1 AND provision = $2 AND item = $3`, report, s.Provision, s.Item)
	return err
}

func insertAnswer(ctx context.Context, tx *sql.Tx, report string, a Answer) error {
	actors := a.Actors
	if actors == nil {
		actors = []Actor{}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO survey_answers (report_id, `+answerCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		report, a.Provision, a.Item, string(a.Taken), string(a.Policy), string(a.Support), jsonOf(actors), a.Measures, a.Examples,
		a.Challenges, a.Gaps)
	return err
}

func insertHistory(ctx context.Context, tx *sql.Tx, report, account string, c Change) error {
	keys := c.Keys
	if keys == nil {
		keys = []string{}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO survey_history (report_id, version, changed_at, account_id, by_label, action, subjects)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, report, c.Version, c.At, account, c.By, c.Action, jsonOf(keys))
	return err
}

func selectHistory(ctx context.Context, q store.Queryer, report string, limit int) ([]Change, error) {
	rows, err := q.QueryContext(ctx, `SELECT version, changed_at, by_label, action, subjects FROM survey_history WHERE report_id = $1
		ORDER BY version DESC LIMIT $2`, report, limit)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(r *sql.Rows) (Change, error) {
		var c Change
		var keys string
		if err := r.Scan(&c.Version, &c.At, &c.By, &c.Action, &keys); err != nil {
			return c, err
		}
		c.At = c.At.UTC()
		return c, json.Unmarshal([]byte(keys), &c.Keys)
	})
}

// addTally moves the count of each provision of a cycle at a visibility
// by delta.
func addTally(ctx context.Context, tx *sql.Tx, cycle string, provisions []string, v Visibility, delta int) error {
	for _, p := range provisions {
		_, err := tx.ExecContext(ctx, `INSERT INTO survey_tallies (cycle_id, provision, visibility, states) VALUES ($1, $2, $3, $4)
			ON CONFLICT (cycle_id, provision, visibility) DO UPDATE SET states = survey_tallies.states + excluded.states`,
			cycle, p, string(v), delta)
		if err != nil {
			return err
		}
	}
	return nil
}

// selectTallies sums a cycle's counts over the visibilities given.
func selectTallies(ctx context.Context, q store.Queryer, cycle string, vs []Visibility) (map[string]int, error) {
	args := []any{cycle}
	var ph []string
	for _, v := range vs {
		args = append(args, string(v))
		ph = append(ph, fmt.Sprintf("$%d", len(args)))
	}
	rows, err := q.QueryContext(ctx, `SELECT provision, SUM(states) FROM survey_tallies WHERE cycle_id = $1 AND visibility IN (`+
		strings.Join(ph, ", ")+`) GROUP BY provision`, args...)
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	err = store.Each(rows, func(r *sql.Rows) (struct {
		p string
		n int
	}, error) {
		var x struct {
			p string
			n int
		}
		return x, r.Scan(&x.p, &x.n)
	}, func(x struct {
		p string
		n int
	}) error {
		if x.n > 0 {
			out[x.p] = x.n
		}
		return nil
	})
	return out, err
}

// readableSQL is the condition on alias r for what rd may read.
func readableSQL(rd reader, args []any) (string, []any) {
	switch {
	case rd.secretariat:
		return `r.status <> 'draft'`, args
	case rd.state == "":
		return `(r.status = 'published' AND r.visibility = 'public')`, args
	case !rd.participant:
		args = append(args, rd.state)
		return fmt.Sprintf(`(r.state_code = $%d OR (r.status = 'published' AND r.visibility = 'public'))`, len(args)), args
	}
	args = append(args, rd.state)
	return fmt.Sprintf(`(r.state_code = $%d OR (r.status = 'published' AND r.visibility <> 'private'))`, len(args)), args
}

// listReports reads a page of a cycle's reports rd may read, by State.
func listReports(ctx context.Context, q store.Queryer, rd reader, cycle, after string, limit int) ([]Report, error) {
	where, args := readableSQL(rd, []any{cycle})
	if after != "" {
		args = append(args, after)
		where += fmt.Sprintf(` AND r.state_code > $%d`, len(args))
	}
	args = append(args, limit)
	rows, err := q.QueryContext(ctx, `SELECT `+reportCols+reportFrom+` WHERE r.cycle_id = $1 AND `+where+
		fmt.Sprintf(` ORDER BY r.state_code LIMIT $%d`, len(args)), args...)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(r *sql.Rows) (Report, error) { return scanReport(r) })
}

// publishedOf reads a State's published reports at the visibilities
// given, newest cycle first.
func publishedOf(ctx context.Context, q store.Queryer, state string, vs []Visibility, limit int) ([]Report, error) {
	args := []any{state}
	var ph []string
	for _, v := range vs {
		args = append(args, string(v))
		ph = append(ph, fmt.Sprintf("$%d", len(args)))
	}
	args = append(args, limit)
	rows, err := q.QueryContext(ctx, `SELECT `+reportCols+reportFrom+` WHERE r.state_code = $1 AND r.status = 'published'
		AND r.visibility IN (`+strings.Join(ph, ", ")+fmt.Sprintf(`) ORDER BY c.opens_at DESC, c.id DESC LIMIT $%d`, len(args)), args...)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(r *sql.Rows) (Report, error) { return scanReport(r) })
}

// submittedStates are the States whose report of a cycle is submitted or
// published.
func submittedStates(ctx context.Context, q store.Queryer, cycle string) (map[string]bool, error) {
	rows, err := q.QueryContext(ctx, `SELECT state_code FROM survey_reports WHERE cycle_id = $1 AND status <> 'draft'`, cycle)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	err = store.Each(rows, func(r *sql.Rows) (string, error) {
		var code string
		return code, r.Scan(&code)
	}, func(code string) error {
		out[code] = true
		return nil
	})
	return out, err
}
