package meeting

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/tlp"
)

// The SQL of attendance, records and publications (0031).

// selectAttendance reads meeting id's marks by invitation, in one query.
func selectAttendance(ctx context.Context, q store.Queryer, meetingID string) (map[string]Attendee, error) {
	rows, err := q.QueryContext(ctx, `SELECT invitation_id, presence, recorded_at, recorded_by FROM meeting_attendance WHERE meeting_id = $1`, meetingID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]Attendee{}
	for rows.Next() {
		var id, p string
		var at time.Time
		var a Attendee
		if err := rows.Scan(&id, &p, &at, &a.RecordedBy); err != nil {
			return nil, err
		}
		at = at.UTC()
		a.Presence, a.RecordedAt = Presence(p), &at
		out[id] = a
	}
	return out, rows.Err()
}

// setAttendance writes invitation i's mark; NotRecorded removes it.
func setAttendance(ctx context.Context, tx *sql.Tx, i Invitation, p Presence, at time.Time, by string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM meeting_attendance WHERE invitation_id = $1`, i.ID); err != nil {
		return err
	}
	if p == NotRecorded {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO meeting_attendance (invitation_id, meeting_id, state_code, presence, recorded_at, recorded_by)
		VALUES ($1, $2, $3, $4, $5, $6)`, i.ID, i.MeetingID, i.State, string(p), at, by)
	return err
}

const recordCols = `id, meeting_id, kind, title, tlp, body, file_name, original_name, declared_type, detected_type, size, sha256,
	published, version, created_at, created_by, updated_at, updated_by`

func scanRecord(row interface{ Scan(...any) error }) (Record, error) {
	var r Record
	var kind, label string
	var published int
	f := &r.File
	err := row.Scan(&r.ID, &r.MeetingID, &kind, &r.Title, &label, &r.Body, &f.Name, &f.OriginalName, &f.DeclaredType, &f.DetectedType,
		&f.Size, &f.SHA256, &published, &r.Version, &r.CreatedAt, &r.CreatedBy, &r.UpdatedAt, &r.UpdatedBy)
	r.Kind, r.TLP, r.Published = RecordKind(kind), tlp.Label(label), published == 1
	r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
	if r.Kind == Document {
		f.ID, f.CreatedAt = r.ID, r.CreatedAt
	}
	return r, err
}

// selectRecords reads a meeting's records, oldest first, without content.
func selectRecords(ctx context.Context, q store.Queryer, meetingID string) ([]Record, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+recordCols+` FROM meeting_records WHERE meeting_id = $1 ORDER BY created_at, id`, meetingID)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(r *sql.Rows) (Record, error) { return scanRecord(r) })
}

func selectRecord(ctx context.Context, q store.Queryer, id string) (Record, error) {
	return scanRecord(q.QueryRowContext(ctx, `SELECT `+recordCols+` FROM meeting_records WHERE id = $1`, id))
}

func selectRecordContent(ctx context.Context, q store.Queryer, id string) ([]byte, error) {
	var b []byte
	err := q.QueryRowContext(ctx, `SELECT content FROM meeting_records WHERE id = $1`, id).Scan(&b)
	return b, err
}

func countRecords(ctx context.Context, tx *sql.Tx, meetingID string) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM meeting_records WHERE meeting_id = $1`, meetingID).Scan(&n)
	return n, err
}

func insertRecord(ctx context.Context, tx *sql.Tx, r Record, content []byte) error {
	var c any // NULL for minutes
	if r.Kind == Document {
		c = content
	}
	f := r.File
	_, err := tx.ExecContext(ctx, `INSERT INTO meeting_records (id, meeting_id, kind, title, tlp, body, file_name, original_name, declared_type,
		detected_type, size, sha256, published, version, created_at, created_by, updated_at, updated_by, content)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 0, $13, $14, $15, $16, $17, $18)`,
		r.ID, r.MeetingID, string(r.Kind), r.Title, string(r.TLP), r.Body, f.Name, f.OriginalName, f.DeclaredType, f.DetectedType,
		f.Size, f.SHA256, r.Version, r.CreatedAt, r.CreatedBy, r.UpdatedAt, r.UpdatedBy, c)
	return err
}

// updateRecord keeps before as a version and writes r over it, if before
// is still the current version.
func updateRecord(ctx context.Context, tx *sql.Tx, before, r Record) (bool, error) {
	n, err := store.Changed(tx.ExecContext(ctx, `UPDATE meeting_records SET title = $1, tlp = $2, body = $3, published = $4, version = $5,
		updated_at = $6, updated_by = $7 WHERE id = $8 AND version = $9`,
		r.Title, string(r.TLP), r.Body, boolInt(r.Published), r.Version, r.UpdatedAt, r.UpdatedBy, r.ID, before.Version))
	if err != nil || n == 0 {
		return false, err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO meeting_record_versions (record_id, version, title, tlp, body, edited_at, edited_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, before.ID, before.Version, before.Title, string(before.TLP), before.Body, before.UpdatedAt, before.UpdatedBy)
	return true, err
}

func deleteRecord(ctx context.Context, tx *sql.Tx, id string, version int) (bool, error) {
	if _, err := tx.ExecContext(ctx, `DELETE FROM meeting_record_versions WHERE record_id = $1`, id); err != nil {
		return false, err
	}
	n, err := store.Changed(tx.ExecContext(ctx, `DELETE FROM meeting_records WHERE id = $1 AND version = $2`, id, version))
	return n == 1, err
}

func selectRecordVersions(ctx context.Context, q store.Queryer, id string) ([]RecordVersion, error) {
	rows, err := q.QueryContext(ctx, `SELECT version, title, tlp, body, edited_at, edited_by FROM meeting_record_versions
		WHERE record_id = $1 ORDER BY version DESC`, id)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(r *sql.Rows) (RecordVersion, error) {
		var v RecordVersion
		var label string
		err := r.Scan(&v.Version, &v.Title, &label, &v.Body, &v.EditedAt, &v.EditedBy)
		v.TLP, v.EditedAt = tlp.Label(label), v.EditedAt.UTC()
		return v, err
	})
}

func setPublished(ctx context.Context, tx *sql.Tx, id string, on bool) error {
	_, err := tx.ExecContext(ctx, `UPDATE meeting_records SET published = $1 WHERE id = $2`, boolInt(on), id)
	return err
}

// putPublication creates or replaces meeting id's publication and returns
// its version.
func putPublication(ctx context.Context, tx *sql.Tx, id, summary string, at time.Time, by string) (int, error) {
	var version int
	err := tx.QueryRowContext(ctx, `SELECT version FROM meeting_publications WHERE meeting_id = $1`, id).Scan(&version)
	switch {
	case store.NoRows(err):
		_, err = tx.ExecContext(ctx, `INSERT INTO meeting_publications (meeting_id, summary, version, published_at, published_by, updated_at, updated_by)
			VALUES ($1, $2, 1, $3, $4, $3, $4)`, id, summary, at, by)
		return 1, err
	case err != nil:
		return 0, err
	}
	_, err = tx.ExecContext(ctx, `UPDATE meeting_publications SET summary = $1, version = $2, updated_at = $3, updated_by = $4 WHERE meeting_id = $5`,
		summary, version+1, at, by, id)
	return version + 1, err
}

func deletePublication(ctx context.Context, tx *sql.Tx, id string) (int64, error) {
	if _, err := tx.ExecContext(ctx, `UPDATE meeting_records SET published = 0 WHERE meeting_id = $1`, id); err != nil {
		return 0, err
	}
	return store.Changed(tx.ExecContext(ctx, `DELETE FROM meeting_publications WHERE meeting_id = $1`, id))
}

const publicationCols = `p.meeting_id, m.title, m.kind, m.starts_at, m.ends_at, m.time_zone, m.organiser_state, p.summary, p.version,
	p.published_at, p.updated_at`

func scanPublication(row interface{ Scan(...any) error }) (Publication, error) {
	var p Publication
	var kind string
	err := row.Scan(&p.MeetingID, &p.Title, &kind, &p.Start, &p.End, &p.TimeZone, &p.Organiser, &p.Summary, &p.Version, &p.PublishedAt, &p.UpdatedAt)
	p.Kind = Kind(kind)
	p.Start, p.End, p.PublishedAt, p.UpdatedAt = p.Start.UTC(), p.End.UTC(), p.PublishedAt.UTC(), p.UpdatedAt.UTC()
	return p, err
}

// selectPublication reads meeting id's publication; with public set, only
// one the public may see (the meeting not cancelled).
func selectPublication(ctx context.Context, q store.Queryer, id string, public bool) (Publication, error) {
	cond := ""
	if public {
		cond = ` AND m.status = 'scheduled'`
	}
	return scanPublication(q.QueryRowContext(ctx, `SELECT `+publicationCols+` FROM meeting_publications p JOIN meetings m ON m.id = p.meeting_id
		WHERE p.meeting_id = $1`+cond, id))
}

// listPublications reads up to limit published meetings over by now,
// latest first, after key: one query, walking meetings by start.
func listPublications(ctx context.Context, q store.Queryer, now time.Time, after *listKey, limit int) ([]Publication, error) {
	args := []any{now}
	where := `m.status = 'scheduled' AND m.ends_at <= $1`
	if after != nil {
		args = append(args, after.at, after.id)
		where += ` AND (m.starts_at, m.id) < ($2, $3)`
	}
	args = append(args, limit)
	rows, err := q.QueryContext(ctx, `SELECT `+publicationCols+` FROM meeting_publications p JOIN meetings m ON m.id = p.meeting_id
		WHERE `+where+` ORDER BY m.starts_at DESC, m.id DESC`+fmt.Sprintf(` LIMIT $%d`, len(args)), args...)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(r *sql.Rows) (Publication, error) { return scanPublication(r) })
}
