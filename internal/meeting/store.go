package meeting

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/store"
)

// The SQL of the meeting tables. Reads of what a person may see put the
// visibility condition on meetings m (visibleSQL).

const meetingCols = `m.id, m.organiser_state, m.title, m.kind, m.starts_at, m.ends_at, m.time_zone, m.venue, m.video_url,
	m.agenda, m.chosen_states, m.chosen_groups, m.levels, m.contact_name, m.contact_email, m.status, m.sequence, m.version,
	m.invited, m.accepted, m.declined, m.tentative, m.created_at, m.updated_at, m.updated_by`

func scanMeeting(row interface{ Scan(...any) error }) (Meeting, error) {
	var m Meeting
	var kind, status, agenda, chosen, groups, levels string
	c := &m.Counts
	err := row.Scan(&m.ID, &m.OrganiserState, &m.Title, &kind, &m.Start, &m.End, &m.TimeZone, &m.Venue, &m.VideoURL,
		&agenda, &chosen, &groups, &levels, &m.Contact.Name, &m.Contact.Email, &status, &m.Sequence, &m.Version,
		&c.Invited, &c.Accepted, &c.Declined, &c.Tentative, &m.CreatedAt, &m.UpdatedAt, &m.UpdatedBy)
	if err != nil {
		return m, err
	}
	m.Kind, m.Status = Kind(kind), Status(status)
	m.Start, m.End, m.CreatedAt, m.UpdatedAt = m.Start.UTC(), m.End.UTC(), m.CreatedAt.UTC(), m.UpdatedAt.UTC()
	for _, x := range []struct {
		s string
		v any
	}{{agenda, &m.Agenda}, {chosen, &m.States}, {groups, &m.Groups}, {levels, &m.Levels}} {
		if err := json.Unmarshal([]byte(x.s), x.v); err != nil {
			return m, err
		}
	}
	return m, nil
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v) // the values marshalled here always marshal
	return string(b)
}

func orEmpty[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}

func insertMeeting(ctx context.Context, tx *sql.Tx, m Meeting, createdBy string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO meetings (id, organiser_state, title, kind, starts_at, ends_at, time_zone, venue, video_url,
		agenda, chosen_states, chosen_groups, levels, contact_name, contact_email, status, sequence, version, created_by, created_at, updated_at, updated_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)`,
		m.ID, m.OrganiserState, m.Title, string(m.Kind), m.Start, m.End, m.TimeZone, m.Venue, m.VideoURL,
		jsonOf(orEmpty(m.Agenda)), jsonOf(orEmpty(m.States)), jsonOf(orEmpty(m.Groups)), jsonOf(orEmpty(m.Levels)),
		m.Contact.Name, m.Contact.Email, string(m.Status), m.Sequence, m.Version, createdBy, m.CreatedAt, m.UpdatedAt, m.UpdatedBy)
	if err != nil {
		return err
	}
	return replaceStates(ctx, tx, m)
}

// updateMeeting writes m over version m.Version-1 and reports whether
// that version was still the current one.
func updateMeeting(ctx context.Context, tx *sql.Tx, m Meeting) (bool, error) {
	n, err := store.Changed(tx.ExecContext(ctx, `UPDATE meetings SET title = $1, kind = $2, starts_at = $3, ends_at = $4, time_zone = $5,
		venue = $6, video_url = $7, agenda = $8, chosen_states = $9, chosen_groups = $10, levels = $11, contact_name = $12,
		contact_email = $13, status = $14, sequence = $15, version = $16, updated_at = $17, updated_by = $18
		WHERE id = $19 AND version = $20`,
		m.Title, string(m.Kind), m.Start, m.End, m.TimeZone, m.Venue, m.VideoURL, jsonOf(orEmpty(m.Agenda)), jsonOf(orEmpty(m.States)),
		jsonOf(orEmpty(m.Groups)), jsonOf(orEmpty(m.Levels)), m.Contact.Name, m.Contact.Email, string(m.Status), m.Sequence, m.Version,
		m.UpdatedAt, m.UpdatedBy, m.ID, m.Version-1))
	if err != nil || n == 0 {
		return false, err
	}
	return true, replaceStates(ctx, tx, m)
}

func replaceStates(ctx context.Context, tx *sql.Tx, m Meeting) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM meeting_states WHERE meeting_id = $1`, m.ID); err != nil {
		return err
	}
	if len(m.Invited) == 0 {
		return nil
	}
	var b strings.Builder
	args := []any{m.ID}
	b.WriteString(`INSERT INTO meeting_states (meeting_id, state_code) VALUES `)
	for k, st := range m.Invited {
		if k > 0 {
			b.WriteString(", ")
		}
		args = append(args, st)
		fmt.Fprintf(&b, "($1, $%d)", len(args))
	}
	_, err := tx.ExecContext(ctx, b.String(), args...)
	return err
}

func selectMeeting(ctx context.Context, q store.Queryer, id string) (Meeting, error) {
	m, err := scanMeeting(q.QueryRowContext(ctx, `SELECT `+meetingCols+` FROM meetings m WHERE m.id = $1`, id))
	if err != nil {
		return m, err
	}
	ms := []Meeting{m}
	if err := loadInvited(ctx, q, ms); err != nil {
		return m, err
	}
	return ms[0], nil
}

// loadInvited fills the invited States of ms in one query.
func loadInvited(ctx context.Context, q store.Queryer, ms []Meeting) error {
	if len(ms) == 0 {
		return nil
	}
	at := map[string]int{}
	args := make([]any, 0, len(ms))
	for k, m := range ms {
		at[m.ID] = k
		args = append(args, m.ID)
	}
	rows, err := q.QueryContext(ctx, `SELECT meeting_id, state_code FROM meeting_states WHERE meeting_id IN (`+placeholders(1, len(args))+`)
		ORDER BY meeting_id, state_code`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, st string
		if err := rows.Scan(&id, &st); err != nil {
			return err
		}
		ms[at[id]].Invited = append(ms[at[id]].Invited, st)
	}
	return rows.Err()
}

func placeholders(from, n int) string {
	var b strings.Builder
	for k := range n {
		if k > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "$%d", from+k)
	}
	return b.String()
}

// visibleSQL is the condition on meetings m for what a may see, with its
// arguments numbered from n: the secretariat's own meetings, or those a's
// State convenes or is invited to.
func visibleSQL(a actor.Actor, n int) (string, []any) {
	if a.IsSecretariat() {
		return `m.organiser_state = ''`, nil
	}
	return fmt.Sprintf(`(m.organiser_state = $%d OR EXISTS (SELECT 1 FROM meeting_states ms WHERE ms.meeting_id = m.id AND ms.state_code = $%d))`, n, n),
		[]any{a.State}
}

type listKey struct {
	at time.Time
	id string
}

// listMeetings reads up to limit meetings a may see: upcoming (not yet
// ended, soonest first) or past (ended, latest first), after key.
func listMeetings(ctx context.Context, q store.Queryer, a actor.Actor, now time.Time, upcoming bool, after *listKey, limit int) ([]Meeting, error) {
	where, args := visibleSQL(a, 1)
	args = append(args, now)
	cmp, order := "m.ends_at > $%d", "m.starts_at, m.id"
	if !upcoming {
		cmp, order = "m.ends_at <= $%d", "m.starts_at DESC, m.id DESC"
	}
	where += " AND " + fmt.Sprintf(cmp, len(args))
	if after != nil {
		args = append(args, after.at, after.id)
		op := ">"
		if !upcoming {
			op = "<"
		}
		where += fmt.Sprintf(" AND (m.starts_at, m.id) %s ($%d, $%d)", op, len(args)-1, len(args))
	}
	args = append(args, limit)
	rows, err := q.QueryContext(ctx, `SELECT `+meetingCols+` FROM meetings m WHERE `+where+` ORDER BY `+order+fmt.Sprintf(" LIMIT $%d", len(args)), args...)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(r *sql.Rows) (Meeting, error) { return scanMeeting(r) })
}

// feedMeetings reads the meetings a may see that end after since, soonest
// first, at most limit.
func feedMeetings(ctx context.Context, q store.Queryer, a actor.Actor, since time.Time, limit int) ([]Meeting, error) {
	where, args := visibleSQL(a, 1)
	args = append(args, since, limit)
	rows, err := q.QueryContext(ctx, `SELECT `+meetingCols+` FROM meetings m WHERE `+where+
		fmt.Sprintf(` AND m.ends_at > $%d ORDER BY m.starts_at, m.id LIMIT $%d`, len(args)-1, len(args)), args...)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(r *sql.Rows) (Meeting, error) { return scanMeeting(r) })
}

const invitationCols = `id, meeting_id, poc_id, state_code, level, answer, answered_at, answered_by, sent_sequence, removed, cancel_sent`

func scanInvitation(r interface{ Scan(...any) error }) (Invitation, error) {
	var i Invitation
	var level, answer string
	var at sql.NullTime
	var removed, cancelSent int
	err := r.Scan(&i.ID, &i.MeetingID, &i.POCID, &i.State, &level, &answer, &at, &i.AnsweredBy, &i.SentSequence, &removed, &cancelSent)
	i.Level, i.Answer, i.Removed, i.CancelSent = Level(level), Answer(answer), removed == 1, cancelSent == 1
	if at.Valid {
		t := at.Time.UTC()
		i.AnsweredAt = &t
	}
	return i, err
}

func selectInvitations(ctx context.Context, q store.Queryer, meetingID string) ([]Invitation, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+invitationCols+` FROM meeting_invitations WHERE meeting_id = $1 ORDER BY state_code, level, poc_id`, meetingID)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(r *sql.Rows) (Invitation, error) { return scanInvitation(r) })
}

func invitationByToken(ctx context.Context, q store.Queryer, hash string) (Invitation, error) {
	return scanInvitation(q.QueryRowContext(ctx, `SELECT `+invitationCols+` FROM meeting_invitations WHERE token_hash = $1`, hash))
}

// linkedInvitations reads the invitations still in force of the POCs
// pocs to the meetings ids, in one query.
func linkedInvitations(ctx context.Context, q store.Queryer, ids, pocs []string) ([]Invitation, error) {
	if len(ids) == 0 || len(pocs) == 0 {
		return nil, nil
	}
	args := make([]any, 0, len(ids)+len(pocs))
	for _, id := range ids {
		args = append(args, id)
	}
	for _, p := range pocs {
		args = append(args, p)
	}
	rows, err := q.QueryContext(ctx, `SELECT `+invitationCols+` FROM meeting_invitations WHERE removed = 0
		AND meeting_id IN (`+placeholders(1, len(ids))+`) AND poc_id IN (`+placeholders(len(ids)+1, len(pocs))+`)
		ORDER BY meeting_id, poc_id`, args...)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(r *sql.Rows) (Invitation, error) { return scanInvitation(r) })
}

func insertInvitation(ctx context.Context, tx *sql.Tx, i Invitation) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO meeting_invitations (id, meeting_id, poc_id, state_code, level, answer, answered_by, sent_sequence, removed, cancel_sent)
		VALUES ($1, $2, $3, $4, $5, $6, '', -1, 0, 0)`, i.ID, i.MeetingID, i.POCID, i.State, string(i.Level), string(NeedsAction))
	return err
}

// setMailed records what was mailed to invitation id: the sequence, the
// new answer link's hash (nil: no link), and whether it was a cancellation.
func setMailed(ctx context.Context, tx *sql.Tx, id string, sequence int, hash *string, removed, cancelSent bool) error {
	var h any
	if hash != nil {
		h = *hash
	}
	_, err := tx.ExecContext(ctx, `UPDATE meeting_invitations SET sent_sequence = $1, token_hash = $2, removed = $3, cancel_sent = $4 WHERE id = $5`,
		sequence, h, boolInt(removed), boolInt(cancelSent), id)
	return err
}

func setToken(ctx context.Context, tx *sql.Tx, id, hash string) error {
	_, err := tx.ExecContext(ctx, `UPDATE meeting_invitations SET token_hash = $1 WHERE id = $2`, hash, id)
	return err
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// setAnswer records an answer; with spend set the answer link is used up.
func setAnswer(ctx context.Context, tx *sql.Tx, id string, a Answer, at time.Time, by string, spend bool) error {
	q := `UPDATE meeting_invitations SET answer = $1, answered_at = $2, answered_by = $3 WHERE id = $4`
	if spend {
		q = `UPDATE meeting_invitations SET answer = $1, answered_at = $2, answered_by = $3, token_hash = NULL WHERE id = $4`
	}
	_, err := tx.ExecContext(ctx, q, string(a), at, by, id)
	return err
}

// recount sets the counts a list shows from the meeting's invitations,
// inside the transaction that changed them.
func recount(ctx context.Context, tx *sql.Tx, meetingID string) error {
	_, err := tx.ExecContext(ctx, `UPDATE meetings SET
		invited = (SELECT COUNT(*) FROM meeting_invitations i WHERE i.meeting_id = $1 AND i.removed = 0),
		accepted = (SELECT COUNT(*) FROM meeting_invitations i WHERE i.meeting_id = $1 AND i.removed = 0 AND i.answer = 'accepted'),
		declined = (SELECT COUNT(*) FROM meeting_invitations i WHERE i.meeting_id = $1 AND i.removed = 0 AND i.answer = 'declined'),
		tentative = (SELECT COUNT(*) FROM meeting_invitations i WHERE i.meeting_id = $1 AND i.removed = 0 AND i.answer = 'tentative')
		WHERE id = $1`, meetingID)
	return err
}

func feedAccount(ctx context.Context, q store.Queryer, hash string) (string, error) {
	var id string
	err := q.QueryRowContext(ctx, `SELECT account_id FROM meeting_feeds WHERE token_hash = $1`, hash).Scan(&id)
	return id, err
}

func putFeed(ctx context.Context, tx *sql.Tx, account, hash string, at time.Time) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM meeting_feeds WHERE account_id = $1`, account); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO meeting_feeds (account_id, token_hash, created_at) VALUES ($1, $2, $3)`, account, hash, at)
	return err
}

func deleteFeed(ctx context.Context, tx *sql.Tx, account string) (int64, error) {
	return store.Changed(tx.ExecContext(ctx, `DELETE FROM meeting_feeds WHERE account_id = $1`, account))
}

func feedCreated(ctx context.Context, q store.Queryer, account string) (time.Time, error) {
	var at time.Time
	err := q.QueryRowContext(ctx, `SELECT created_at FROM meeting_feeds WHERE account_id = $1`, account).Scan(&at)
	return at.UTC(), err
}
