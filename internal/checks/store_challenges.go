package checks

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/detente/detente/internal/store"
)

// The SQL of the ping_challenges table: one row per POC in a check, with
// the hash of its token and what became of its mail and answer. The
// follow-up list joins states for the name it is ordered by.

const challengeCols = `id, campaign_id, poc_id, state_code, region, level, COALESCE(account_id, ''), sent_at, bounced_at, bounce, reminded_at,
	acknowledged_at, channel, acknowledged_by, poc_function, poc_organisation`

// challengeColsH is challengeCols qualified for a join with
// ping_challenges as h; the order must stay the same.
const challengeColsH = `h.id, h.campaign_id, h.poc_id, h.state_code, h.region, h.level, COALESCE(h.account_id, ''), h.sent_at, h.bounced_at, h.bounce,
	h.reminded_at, h.acknowledged_at, h.channel, h.acknowledged_by, h.poc_function, h.poc_organisation`

// challengeRow is what a scan of challengeCols writes into, apart from the
// Scan call, so that a joined row can fill it too.
type challengeRow struct {
	c Challenge
	t [4]sql.NullTime
}

func (r *challengeRow) dest() []any {
	c := &r.c
	return []any{&c.ID, &c.CheckID, &c.POCID, &c.State, &c.Region, &c.Level, &c.AccountID, &r.t[0], &r.t[1], &c.Bounce, &r.t[2], &r.t[3], &c.Channel, &c.AcknowledgedBy, &c.POCFunction, &c.POCOrganisation}
}

func (r *challengeRow) value() Challenge {
	c := r.c
	for i, dst := range []**time.Time{&c.SentAt, &c.BouncedAt, &c.RemindedAt, &c.AcknowledgedAt} {
		if r.t[i].Valid {
			v := r.t[i].Time
			*dst = &v
		}
	}
	return c
}

func scanChallenge(row interface{ Scan(...any) error }) (Challenge, error) {
	var r challengeRow
	err := row.Scan(r.dest()...)
	return r.value(), err
}

const challengeInsertCols = 10

// insertChallengeRows writes the challenges of ps, of the campaign
// checkID, in one statement. The database keeps each token's hash, never
// the token.
func insertChallengeRows(ctx context.Context, tx *sql.Tx, engine store.Engine, checkID string, ps []ChallengeMail) error {
	args := make([]any, 0, len(ps)*challengeInsertCols)
	for _, p := range ps {
		ch := p.Challenge
		args = append(args, ch.ID, checkID, ch.POCID, ch.State, ch.Region, ch.Level, store.NullString(ch.AccountID), hashToken(p.Token),
			p.POC.FunctionTitle, p.POC.Organisation)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO ping_challenges (id, campaign_id, poc_id, state_code, region, level, account_id, token_hash,
		poc_function, poc_organisation)
		VALUES `+store.Values(engine, len(ps), challengeInsertCols), args...); err != nil {
		return err
	}
	return addTotals(ctx, tx, engine, checkID, ps)
}

// addTotals counts ps in the tallies of the campaign checkID, a row per
// State and level.
func addTotals(ctx context.Context, tx *sql.Tx, engine store.Engine, checkID string, ps []ChallengeMail) error {
	type group struct{ state, level string }
	n := map[group]int{}
	region := map[string]string{}
	var order []group
	for _, p := range ps {
		g := group{p.Challenge.State, p.Challenge.Level}
		if n[g] == 0 {
			order = append(order, g)
		}
		n[g]++
		region[g.state] = p.Challenge.Region
	}
	args := make([]any, 0, len(order)*5)
	var rows strings.Builder
	for i, g := range order {
		if i > 0 {
			rows.WriteString(", ")
		}
		// SQLite takes anonymous placeholders, for the reason store.Values
		// gives; the zero counts are literals.
		if engine == store.SQLite {
			rows.WriteString("(?, ?, ?, ?, ?, 0, 0)")
		} else {
			fmt.Fprintf(&rows, "($%d, $%d, $%d, $%d, $%d, 0, 0)", len(args)+1, len(args)+2, len(args)+3, len(args)+4, len(args)+5)
		}
		args = append(args, checkID, g.state, region[g.state], g.level, n[g])
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO ping_tallies (campaign_id, state_code, region, level, total, acknowledged, bounced)
		VALUES `+rows.String()+`
		ON CONFLICT (campaign_id, state_code, level) DO UPDATE SET total = ping_tallies.total + excluded.total`, args...)
	return err
}

// tallyOf picks the tally row of the challenge id.
const tallyOf = `(campaign_id, state_code, level) = (SELECT campaign_id, state_code, level FROM ping_challenges WHERE id = $1)`

// renewToken replaces the challenge id's token hash with hash, as of a
// reminder sent at now.
func renewToken(ctx context.Context, tx *sql.Tx, id, hash string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE ping_challenges SET token_hash = $1, reminded_at = $2 WHERE id = $3`, hash, now, id)
	return err
}

// selectChallenges reads the challenges where holds, by State, level and id.
func selectChallenges(ctx context.Context, q store.Queryer, where string, args ...any) ([]Challenge, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+challengeCols+` FROM ping_challenges WHERE `+where+` ORDER BY state_code, level, id`, args...)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(r *sql.Rows) (Challenge, error) { return scanChallenge(r) })
}

// unremindedChallenges reads the challenges of the campaign checkID that
// are unanswered, have not bounced and have not been reminded.
func unremindedChallenges(ctx context.Context, q store.Queryer, checkID string) ([]Challenge, error) {
	return selectChallenges(ctx, q, `campaign_id = $1 AND acknowledged_at IS NULL AND bounced_at IS NULL AND reminded_at IS NULL`, checkID)
}

// pendingWhere is the unanswered challenges of open campaigns ($1) of
// the POCs whose ids follow from $2 on (the directory says which an
// account answers for).
func pendingWhere(pocs []string) (string, []any) {
	in, args := pocList(pocs, 2)
	return `acknowledged_at IS NULL AND campaign_id IN (SELECT id FROM ping_campaigns WHERE status = $1) AND poc_id IN ` + in, append([]any{Open}, args...)
}

// pocList is "($n, $n+1, …)" for ids and its arguments.
func pocList(ids []string, n int) (string, []any) {
	marks := make([]string, len(ids))
	args := make([]any, len(ids))
	for i, id := range ids {
		marks[i] = "$" + strconv.Itoa(n+i)
		args[i] = id
	}
	return "(" + strings.Join(marks, ", ") + ")", args
}

// pendingChallenges reads the unanswered challenges of open campaigns of
// the POCs pocs (at least one).
func pendingChallenges(ctx context.Context, q store.Queryer, pocs []string) ([]Challenge, error) {
	where, args := pendingWhere(pocs)
	return selectChallenges(ctx, q, where, args...)
}

// pendingCount counts what pendingChallenges reads. Its SQL depends only
// on how many POCs there are, so through db.Kept it stays prepared.
func pendingCount(ctx context.Context, q store.Queryer, pocs []string) (int, error) {
	where, args := pendingWhere(pocs)
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM ping_challenges WHERE `+where, args...).Scan(&n)
	return n, err
}

// pocChallenge reads the challenge id if it is of one of the POCs pocs
// (at least one).
func pocChallenge(ctx context.Context, q store.Queryer, id string, pocs []string) (Challenge, error) {
	in, args := pocList(pocs, 2)
	return scanChallenge(q.QueryRowContext(ctx, `SELECT `+challengeCols+` FROM ping_challenges WHERE id = $1 AND poc_id IN `+in, append([]any{id}, args...)...))
}

// countStateChallenges counts the challenges of state's POCs in the
// campaign checkID: none if the State did not take part.
func countStateChallenges(ctx context.Context, q store.Queryer, checkID, state string) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM ping_challenges WHERE campaign_id = $1 AND state_code = $2`, checkID, state).Scan(&n)
	return n, err
}

// tokenQuery reads a token's challenge and its campaign in one query.
const tokenQuery = `SELECT ` + challengeColsH + `, ` + campaignColsC + `
	FROM ping_challenges h JOIN ping_campaigns c ON c.id = h.campaign_id WHERE h.token_hash = $1`

// tokenChallenge reads the challenge whose token hashes to hash, and its
// campaign. Its SQL is constant, so that through db.Kept it stays
// prepared.
func tokenChallenge(ctx context.Context, q store.Queryer, hash string) (Challenge, Check, error) {
	var ch challengeRow
	var c campaignRow
	if err := q.QueryRowContext(ctx, tokenQuery, hash).Scan(append(ch.dest(), c.dest()...)...); err != nil {
		return Challenge{}, Check{}, err
	}
	chk, err := c.value()
	return ch.value(), chk, err
}

// acknowledgeChallenge records the answer to the challenge id, given at
// now on channel by by, and counts it in the challenge's tally; it reports
// whether the answer is the first. On PostgreSQL both writes are one
// statement, a round trip fewer for each of a check's thousands of
// answers.
func acknowledgeChallenge(ctx context.Context, tx *sql.Tx, engine store.Engine, id string, now time.Time, channel, by string) (bool, error) {
	if engine == store.Postgres {
		var n int
		err := tx.QueryRowContext(ctx, `WITH answered AS (
				UPDATE ping_challenges SET acknowledged_at = $1, channel = $2, acknowledged_by = $3
				WHERE id = $4 AND acknowledged_at IS NULL
				RETURNING campaign_id, state_code, level, bounced_at),
			counted AS (
				UPDATE ping_tallies t SET acknowledged = t.acknowledged + 1,
					bounced = t.bounced - CASE WHEN a.bounced_at IS NULL THEN 0 ELSE 1 END
				FROM answered a WHERE (t.campaign_id, t.state_code, t.level) = (a.campaign_id, a.state_code, a.level)
				RETURNING 1)
			-- PostgreSQL runs a data-modifying WITH whether or not it is read.
			SELECT COUNT(*) FROM answered`, now, channel, by, id).Scan(&n)
		return n > 0, err
	}
	n, err := store.Changed(tx.ExecContext(ctx, `UPDATE ping_challenges SET acknowledged_at = $1, channel = $2, acknowledged_by = $3 WHERE id = $4 AND acknowledged_at IS NULL`,
		now, channel, by, id))
	if err != nil || n == 0 {
		return false, err
	}
	// The row is this transaction's now: a bounce waits for it, then
	// finds it answered and changes nothing.
	_, err = tx.ExecContext(ctx, `UPDATE ping_tallies SET acknowledged = acknowledged + 1,
		bounced = bounced - (SELECT CASE WHEN bounced_at IS NULL THEN 0 ELSE 1 END FROM ping_challenges WHERE id = $1)
		WHERE `+tallyOf, id)
	return true, err
}

// markSent records that the challenge id's first mail left at now.
func markSent(ctx context.Context, tx *sql.Tx, id string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE ping_challenges SET sent_at = COALESCE(sent_at, $1) WHERE id = $2`, now, id)
	return err
}

// markBounced records that the challenge id's mail bounced at now for
// reason, unless it was answered.
func markBounced(ctx context.Context, tx *sql.Tx, id string, now time.Time, reason string) error {
	first, err := store.Changed(tx.ExecContext(ctx, `UPDATE ping_challenges SET bounced_at = $1, bounce = $2 WHERE id = $3 AND acknowledged_at IS NULL AND bounced_at IS NULL`, now, reason, id))
	if err != nil {
		return err
	}
	if first == 0 {
		// Answered (nothing to do), or bounced before: the newer reason.
		_, err = tx.ExecContext(ctx, `UPDATE ping_challenges SET bounced_at = $1, bounce = $2 WHERE id = $3 AND acknowledged_at IS NULL`, now, reason, id)
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE ping_tallies SET bounced = bounced + 1 WHERE `+tallyOf, id)
	return err
}

// unreached is which unanswered challenges a follow-up list shows.
type unreached int

const (
	unreachedBounced unreached = iota // the mail bounced
	unreachedSilent                   // no bounce and no answer
	unreachedEither                   // both
	unreachedNone                     // none at all
)

// followUpQuery is a campaign's unanswered challenges to list, scoped as
// the service decided the reader may see them, and narrowed by the
// reader's filter.
type followUpQuery struct {
	check     string
	unreached unreached
	ownOnly   bool   // only own's challenges
	own       string // the reader's State
	state     string // filter: ISO alpha-2 code, or ""
	level     string // filter, or ""
}

// levelRank orders levels as the directory presents them.
const levelRank = `CASE h.level WHEN 'diplomatic' THEN 1 WHEN 'policy' THEN 2 ELSE 3 END`

// followUpKey is a challenge's place in the follow-up order.
type followUpKey struct {
	stateName string
	rank      int
	id        string
}

// followUpRow is a challenge with its State's name, the first part of its
// key.
type followUpRow struct {
	ch        Challenge
	stateName string
}

// followUpPage reads at most limit of fq's challenges by State name,
// level and id, after the key after when it is set. The tallies say how
// many unanswered challenges each State has, so the page reads only the
// States it reaches, in the order of their names given as ranks: the
// database neither joins the States' names nor sorts every unanswered
// challenge of a large check, and both engines order alike.
func followUpPage(ctx context.Context, q store.Queryer, fq followUpQuery, after *followUpKey, limit int) ([]followUpRow, error) {
	if fq.unreached == unreachedNone {
		return nil, nil
	}
	codes, err := followUpStates(ctx, q, fq, after, limit)
	if err != nil || len(codes) == 0 {
		return nil, err
	}
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	var rank, in strings.Builder
	rank.WriteString(`CASE h.state_code`)
	for i, code := range codes {
		p := arg(code)
		fmt.Fprintf(&rank, ` WHEN %s THEN %d`, p, i+1)
		if i > 0 {
			in.WriteString(", ")
		}
		in.WriteString(p)
	}
	rank.WriteString(` END`)
	cond := `h.campaign_id = ` + arg(fq.check) + ` AND h.state_code IN (` + in.String() + `) AND h.acknowledged_at IS NULL`
	switch fq.unreached {
	case unreachedBounced:
		cond += ` AND h.bounced_at IS NOT NULL`
	case unreachedSilent:
		cond += ` AND h.bounced_at IS NULL`
	}
	if fq.level != "" {
		cond += ` AND h.level = ` + arg(fq.level)
	}
	if after != nil && StateName(codes[0]) == after.stateName {
		// The first State is where the last page stopped.
		cond += ` AND (h.state_code <> ` + arg(codes[0]) + ` OR (` + levelRank + `, h.id) > (` + arg(after.rank) + `, ` + arg(after.id) + `))`
	}
	query := `SELECT ` + challengeColsH + ` FROM ping_challenges h WHERE ` + cond +
		` ORDER BY ` + rank.String() + `, ` + levelRank + `, h.id LIMIT ` + arg(limit)
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(r *sql.Rows) (followUpRow, error) {
		var row challengeRow
		err := r.Scan(row.dest()...)
		ch := row.value()
		return followUpRow{ch, StateName(ch.State)}, err
	})
}

// followUpStates lists, in the order of their names, the States whose
// unanswered challenges fill a page of limit after the key after: from the
// first State at or after the key to the one that reaches limit.
func followUpStates(ctx context.Context, q store.Queryer, fq followUpQuery, after *followUpKey, limit int) ([]string, error) {
	state := fq.state
	if fq.ownOnly {
		if state != "" && state != fq.own {
			return nil, nil
		}
		state = fq.own
	}
	rows, err := challengeTallies(ctx, q, fq.check, state)
	if err != nil {
		return nil, err
	}
	left := map[string]int{}
	for _, r := range rows {
		if fq.level != "" && r.level != fq.level {
			continue
		}
		switch fq.unreached {
		case unreachedBounced:
			left[r.state] += r.t.Bounced
		case unreachedSilent:
			left[r.state] += r.t.Total - r.t.Acknowledged - r.t.Bounced
		default:
			left[r.state] += r.t.Total - r.t.Acknowledged
		}
	}
	codes := make([]string, 0, len(left))
	for code, n := range left {
		if n > 0 && (after == nil || StateName(code) >= after.stateName) {
			codes = append(codes, code)
		}
	}
	sort.Slice(codes, func(i, j int) bool { return lessState(codes[i], codes[j]) })
	n := 0
	for i, code := range codes {
		if after != nil && StateName(code) == after.stateName {
			continue // how many of its rows are left is not known: count none
		}
		if n += left[code]; n >= limit {
			return codes[:i+1], nil
		}
	}
	return codes, nil
}
