package incident

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/tlp"
)

// The SQL of the incident tables. Reads of what a person may see put the
// disclosure condition on incidents i (readableSQL).

const incidentCols = `i.id, i.reporting_state, i.author_account_id, i.title, i.summary, i.occurred_at, i.timeline,
	i.scope, i.duration, i.physical, i.economic, i.societal, i.severity, i.tensions, i.related,
	i.status, i.tlp, i.version, i.created_at, i.updated_at, i.updated_by`

func scanIncident(row interface{ Scan(...any) error }) (Incident, error) {
	var i Incident
	var timeline, related, severity, status, label string
	c := &i.Consequences
	err := row.Scan(&i.ID, &i.ReportingState, &i.AuthorAccountID, &i.Title, &i.Summary, &i.OccurredAt, &timeline,
		&c.Scope, &c.Duration, &c.Physical, &c.Economic, &c.Societal, &severity, &i.Context.Tensions, &related,
		&status, &label, &i.Version, &i.CreatedAt, &i.UpdatedAt, &i.UpdatedBy)
	if err != nil {
		return i, err
	}
	c.Severity, i.Status, i.TLP = Severity(severity), Status(status), tlp.Label(label)
	i.OccurredAt, i.CreatedAt, i.UpdatedAt = i.OccurredAt.UTC(), i.CreatedAt.UTC(), i.UpdatedAt.UTC()
	if err := json.Unmarshal([]byte(timeline), &i.Timeline); err != nil {
		return i, err
	}
	for k := range i.Timeline {
		i.Timeline[k].At = i.Timeline[k].At.UTC()
	}
	return i, json.Unmarshal([]byte(related), &i.Context.Related)
}

func scanIncidents(r *sql.Rows) (Incident, error) { return scanIncident(r) }

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

// insertIncident writes the record of i, without its sharing and sectors.
func insertIncident(ctx context.Context, tx *sql.Tx, i Incident) error {
	c := i.Consequences
	_, err := tx.ExecContext(ctx, `INSERT INTO incidents (id, reporting_state, author_account_id, title, summary, occurred_at, timeline,
		scope, duration, physical, economic, societal, severity, tensions, related, status, tlp, version, created_at, updated_at, updated_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)`,
		i.ID, i.ReportingState, i.AuthorAccountID, i.Title, i.Summary, i.OccurredAt, jsonOf(orEmpty(i.Timeline)),
		c.Scope, c.Duration, c.Physical, c.Economic, c.Societal, string(c.Severity), i.Context.Tensions, jsonOf(orEmpty(i.Context.Related)),
		string(i.Status), string(i.TLP), i.Version, i.CreatedAt, i.UpdatedAt, i.UpdatedBy)
	return err
}

// updateIncident writes the record of i over version i.Version-1 and
// reports whether that version was still the current one.
func updateIncident(ctx context.Context, tx *sql.Tx, i Incident) (bool, error) {
	c := i.Consequences
	n, err := store.Changed(tx.ExecContext(ctx, `UPDATE incidents SET title = $1, summary = $2, occurred_at = $3, timeline = $4,
		scope = $5, duration = $6, physical = $7, economic = $8, societal = $9, severity = $10, tensions = $11, related = $12,
		status = $13, tlp = $14, version = $15, updated_at = $16, updated_by = $17
		WHERE id = $18 AND version = $19`,
		i.Title, i.Summary, i.OccurredAt, jsonOf(orEmpty(i.Timeline)),
		c.Scope, c.Duration, c.Physical, c.Economic, c.Societal, string(c.Severity), i.Context.Tensions, jsonOf(orEmpty(i.Context.Related)),
		string(i.Status), string(i.TLP), i.Version, i.UpdatedAt, i.UpdatedBy, i.ID, i.Version-1))
	return n == 1, err
}

// replaceParts writes the recipients, named accounts and sectors of i in
// place of those it had.
func replaceParts(ctx context.Context, tx *sql.Tx, engine store.Engine, i Incident) error {
	for _, t := range []string{"incident_recipients", "incident_named", "incident_sectors"} {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+t+` WHERE incident_id = $1`, i.ID); err != nil {
			return err
		}
	}
	sectors := make([]string, len(i.Sectors))
	for k, s := range i.Sectors {
		sectors[k] = string(s)
	}
	for _, p := range []struct {
		table, col string
		values     []string
	}{{"incident_recipients", "state_code", i.Recipients}, {"incident_named", "account_id", i.Named}, {"incident_sectors", "sector", sectors}} {
		if len(p.values) == 0 {
			continue
		}
		args := make([]any, 0, 2*len(p.values))
		for _, v := range p.values {
			args = append(args, i.ID, v)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO `+p.table+` (incident_id, `+p.col+`) VALUES `+store.Values(engine, len(p.values), 2), args...); err != nil {
			return err
		}
	}
	return nil
}

// insertVersion keeps the snapshot of i as version i.Version.
func insertVersion(ctx context.Context, tx *sql.Tx, i Incident, action string, a actor.Actor, at time.Time) error {
	i.Messages, i.Attributions, i.Engaged = nil, 0, 0
	_, err := tx.ExecContext(ctx, `INSERT INTO incident_versions (incident_id, version, action, snapshot, actor_id, actor_label, changed_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, i.ID, i.Version, action, jsonOf(i), a.AccountID, a.Label(), at)
	return err
}

// selectIncident reads the record id, without its parts (loadParts).
func selectIncident(ctx context.Context, q store.Queryer, id string) (Incident, error) {
	return scanIncident(q.QueryRowContext(ctx, `SELECT `+incidentCols+` FROM incidents i WHERE i.id = $1`, id))
}

// placeholders writes ($start, $start+1, …) for the values vs.
func placeholders(start int, vs []string) (string, []any) {
	var b strings.Builder
	args := make([]any, len(vs))
	b.WriteByte('(')
	for k, v := range vs {
		if k > 0 {
			b.WriteString(", ")
		}
		b.WriteString("$" + strconv.Itoa(start+k))
		args[k] = v
	}
	b.WriteByte(')')
	return b.String(), args
}

// pairs reads (incident id, value) rows.
func pairs(ctx context.Context, q store.Queryer, query string, args ...any) ([][2]string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(r *sql.Rows) ([2]string, error) {
		var p [2]string
		return p, r.Scan(&p[0], &p[1])
	})
}

// loadParts fills the recipients, named accounts, sectors and the counts
// of assessments and engaged provisions of every incident in is, with one
// query for each whatever their number.
func loadParts(ctx context.Context, q store.Queryer, is []Incident) error {
	if len(is) == 0 {
		return nil
	}
	at := make(map[string]int, len(is))
	ids := make([]string, len(is))
	for k := range is {
		at[is[k].ID], ids[k] = k, is[k].ID
		is[k].Recipients, is[k].Named, is[k].Sectors = nil, nil, nil
	}
	in, args := placeholders(1, ids)
	rec, err := pairs(ctx, q, `SELECT incident_id, state_code FROM incident_recipients WHERE incident_id IN `+in+` ORDER BY incident_id, state_code`, args...)
	if err != nil {
		return err
	}
	for _, p := range rec {
		is[at[p[0]]].Recipients = append(is[at[p[0]]].Recipients, p[1])
	}
	named, err := pairs(ctx, q, `SELECT incident_id, account_id FROM incident_named WHERE incident_id IN `+in+` ORDER BY incident_id, account_id`, args...)
	if err != nil {
		return err
	}
	for _, p := range named {
		is[at[p[0]]].Named = append(is[at[p[0]]].Named, p[1])
	}
	secs, err := pairs(ctx, q, `SELECT incident_id, sector FROM incident_sectors WHERE incident_id IN `+in, args...)
	if err != nil {
		return err
	}
	for _, p := range secs {
		is[at[p[0]]].Sectors = append(is[at[p[0]]].Sectors, Sector(p[1]))
	}
	for k := range is {
		is[k].Sectors = inSectorOrder(is[k].Sectors)
	}
	rows, err := q.QueryContext(ctx, `SELECT x.incident_id, SUM(x.a), SUM(x.e) FROM (
		SELECT incident_id, 1 AS a, 0 AS e FROM incident_attributions WHERE incident_id IN `+in+`
		UNION ALL SELECT incident_id, 0, 1 FROM incident_findings WHERE engaged AND incident_id IN `+in+`) x GROUP BY x.incident_id`, args...)
	if err != nil {
		return err
	}
	counts, err := store.Collect(rows, func(r *sql.Rows) (struct {
		id   string
		a, e int
	}, error) {
		var c struct {
			id   string
			a, e int
		}
		return c, r.Scan(&c.id, &c.a, &c.e)
	})
	if err != nil {
		return err
	}
	for _, c := range counts {
		is[at[c.id]].Attributions, is[at[c.id]].Engaged = c.a, c.e
	}
	return nil
}

// inSectorOrder sorts sectors in the order of the fixed list.
func inSectorOrder(in []Sector) []Sector {
	var out []Sector
	for _, s := range Sectors() {
		for _, x := range in {
			if x == s {
				out = append(out, s)
			}
		}
	}
	return out
}

// listIncidents reads up to limit incidents a may see that match f,
// newest first, after the key (occurred_at, id) when after is set.
func listIncidents(ctx context.Context, q store.Queryer, a actor.Actor, f Filter, after *listKey, limit int) ([]Incident, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if f.Status != "" {
		where = append(where, "i.status = "+arg(string(f.Status)))
	}
	if f.State != "" {
		where = append(where, "i.reporting_state = "+arg(f.State))
	}
	if f.Sector != "" {
		where = append(where, "EXISTS (SELECT 1 FROM incident_sectors fs WHERE fs.incident_id = i.id AND fs.sector = "+arg(string(f.Sector))+")")
	}
	if f.Provision != "" {
		where = append(where, "EXISTS (SELECT 1 FROM incident_findings ff WHERE ff.incident_id = i.id AND ff.provision_id = "+arg(f.Provision)+" AND ff.engaged)")
	}
	if f.From != nil {
		where = append(where, "i.occurred_at >= "+arg(f.From.UTC()))
	}
	if f.To != nil {
		where = append(where, "i.occurred_at < "+arg(f.To.UTC()))
	}
	if after != nil {
		where = append(where, "(i.occurred_at, i.id) < ("+arg(after.at)+", "+arg(after.id)+")")
	}
	cond, more := readableSQL(a, len(args)+1)
	args = append(args, more...)
	where = append(where, cond)
	rows, err := q.QueryContext(ctx, `SELECT `+incidentCols+` FROM incidents i WHERE `+strings.Join(where, " AND ")+
		` ORDER BY i.occurred_at DESC, i.id DESC LIMIT `+arg(limit), args...)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, scanIncidents)
}

// listKey is the sort key of a list of incidents.
type listKey struct {
	at time.Time
	id string
}

// readableIDs returns those of ids that name incidents a may see.
func readableIDs(ctx context.Context, q store.Queryer, a actor.Actor, ids []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(ids) == 0 {
		return out, nil
	}
	in, args := placeholders(1, ids)
	cond, more := readableSQL(a, len(ids)+1)
	rows, err := q.QueryContext(ctx, `SELECT i.id FROM incidents i WHERE i.id IN `+in+` AND `+cond, append(args, more...)...)
	if err != nil {
		return nil, err
	}
	found, err := store.Collect(rows, func(r *sql.Rows) (string, error) {
		var id string
		return id, r.Scan(&id)
	})
	for _, id := range found {
		out[id] = true
	}
	return out, err
}

// countBy counts the incidents a may see by sector and by provision found
// engaged: a GROUP BY over the readable set, read through the indexes on
// (sector, incident) and (provision, engaged, incident).
func countBy(ctx context.Context, q store.Queryer, a actor.Actor) (bySector, byProvision map[string]int, err error) {
	cond, args := readableSQL(a, 1)
	read := func(query string) (map[string]int, error) {
		rows, err := q.QueryContext(ctx, query, args...)
		if err != nil {
			return nil, err
		}
		out := map[string]int{}
		err = store.Each(rows, func(r *sql.Rows) (Count, error) {
			var c Count
			return c, r.Scan(&c.Key, &c.N)
		}, func(c Count) error { out[c.Key] = c.N; return nil })
		return out, err
	}
	bySector, err = read(`SELECT s.sector, COUNT(*) FROM incident_sectors s JOIN incidents i ON i.id = s.incident_id WHERE ` + cond + ` GROUP BY s.sector`)
	if err != nil {
		return nil, nil, err
	}
	byProvision, err = read(`SELECT f.provision_id, COUNT(*) FROM incident_findings f JOIN incidents i ON i.id = f.incident_id WHERE f.engaged AND ` + cond + ` GROUP BY f.provision_id`)
	return bySector, byProvision, err
}

// selectVersions reads the versions of incident id, oldest first.
func selectVersions(ctx context.Context, q store.Queryer, id string) ([]Version, error) {
	rows, err := q.QueryContext(ctx, `SELECT version, action, snapshot, actor_id, actor_label, changed_at FROM incident_versions WHERE incident_id = $1 ORDER BY version`, id)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(r *sql.Rows) (Version, error) {
		var v Version
		var snap string
		if err := r.Scan(&v.Number, &v.Action, &snap, &v.ActorID, &v.ActorLabel, &v.At); err != nil {
			return v, err
		}
		v.At = v.At.UTC()
		return v, json.Unmarshal([]byte(snap), &v.Incident)
	})
}

// insertLink links message to incident; false when it already was.
func insertLink(ctx context.Context, tx *sql.Tx, incident, message, by string, at time.Time) (bool, error) {
	onConflict := ` ON CONFLICT (incident_id, message_id) DO NOTHING`
	n, err := store.Changed(tx.ExecContext(ctx, `INSERT INTO incident_messages (incident_id, message_id, linked_by, linked_at) VALUES ($1, $2, $3, $4)`+onConflict,
		incident, message, by, at))
	return n == 1, err
}

// linksOf reads the messages linked to incident id, oldest link first.
func linksOf(ctx context.Context, q store.Queryer, id string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT message_id FROM incident_messages WHERE incident_id = $1 ORDER BY linked_at, message_id`, id)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(r *sql.Rows) (string, error) {
		var id string
		return id, r.Scan(&id)
	})
}

const attributionCols = `id, incident_id, asserted_by_state, asserted_by_org, recorded_by, recorded_by_label, recorded_by_state,
	category, attributed_state, spectrum, likelihood, confidence, basis, evidence, origin_territory_only, substantiated, rationale,
	version, created_at, updated_at`

func scanAttribution(row interface{ Scan(...any) error }) (Attribution, error) {
	var x Attribution
	var cat, spec, lik, conf, basis, evidence string
	err := row.Scan(&x.ID, &x.IncidentID, &x.AssertedByState, &x.AssertedByOrg, &x.RecordedBy, &x.RecordedByLabel, &x.RecordedByState,
		&cat, &x.AttributedState, &spec, &lik, &conf, &basis, &evidence, &x.OriginTerritoryOnly, &x.Substantiated, &x.Rationale,
		&x.Version, &x.CreatedAt, &x.UpdatedAt)
	if err != nil {
		return x, err
	}
	x.Category, x.Spectrum, x.Likelihood, x.Confidence = ActorCategory(cat), Spectrum(spec), Likelihood(lik), Confidence(conf)
	x.CreatedAt, x.UpdatedAt = x.CreatedAt.UTC(), x.UpdatedAt.UTC()
	if err := json.Unmarshal([]byte(basis), &x.Basis); err != nil {
		return x, err
	}
	return x, json.Unmarshal([]byte(evidence), &x.Evidence)
}

func insertAttribution(ctx context.Context, tx *sql.Tx, x Attribution) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO incident_attributions (`+attributionCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`,
		x.ID, x.IncidentID, x.AssertedByState, x.AssertedByOrg, x.RecordedBy, x.RecordedByLabel, x.RecordedByState,
		string(x.Category), x.AttributedState, string(x.Spectrum), string(x.Likelihood), string(x.Confidence),
		jsonOf(orEmpty(x.Basis)), jsonOf(orEmpty(x.Evidence)), x.OriginTerritoryOnly, x.Substantiated, x.Rationale,
		x.Version, x.CreatedAt, x.UpdatedAt)
	return err
}

// updateAttribution writes x over version x.Version-1; false when that
// was no longer the current version.
func updateAttribution(ctx context.Context, tx *sql.Tx, x Attribution) (bool, error) {
	n, err := store.Changed(tx.ExecContext(ctx, `UPDATE incident_attributions SET asserted_by_state = $1, asserted_by_org = $2,
		recorded_by = $3, recorded_by_label = $4, category = $5, attributed_state = $6, spectrum = $7, likelihood = $8, confidence = $9,
		basis = $10, evidence = $11, origin_territory_only = $12, substantiated = $13, rationale = $14, version = $15, updated_at = $16
		WHERE id = $17 AND version = $18`,
		x.AssertedByState, x.AssertedByOrg, x.RecordedBy, x.RecordedByLabel, string(x.Category), x.AttributedState, string(x.Spectrum),
		string(x.Likelihood), string(x.Confidence), jsonOf(orEmpty(x.Basis)), jsonOf(orEmpty(x.Evidence)), x.OriginTerritoryOnly,
		x.Substantiated, x.Rationale, x.Version, x.UpdatedAt, x.ID, x.Version-1))
	return n == 1, err
}

func selectAttribution(ctx context.Context, q store.Queryer, id string) (Attribution, error) {
	return scanAttribution(q.QueryRowContext(ctx, `SELECT `+attributionCols+` FROM incident_attributions WHERE id = $1`, id))
}

// attributionsOf reads the assessments of incident id, oldest first.
func attributionsOf(ctx context.Context, q store.Queryer, id string) ([]Attribution, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+attributionCols+` FROM incident_attributions WHERE incident_id = $1 ORDER BY created_at, id`, id)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(r *sql.Rows) (Attribution, error) { return scanAttribution(r) })
}

const findingCols = `incident_id, provision_id, engaged, outcome, rationale, version, by_account, by_label, at`

func scanFinding(row interface{ Scan(...any) error }) (Finding, error) {
	var f Finding
	var outcome string
	err := row.Scan(&f.IncidentID, &f.Provision, &f.Engaged, &outcome, &f.Rationale, &f.Version, &f.ByAccount, &f.ByLabel, &f.At)
	f.Outcome, f.At = Outcome(outcome), f.At.UTC()
	return f, err
}

// writeFinding stores f as version f.Version: a new row for version 1,
// else over version f.Version-1. False when another change came first.
func writeFinding(ctx context.Context, tx *sql.Tx, f Finding) (bool, error) {
	if f.Version == 1 {
		n, err := store.Changed(tx.ExecContext(ctx, `INSERT INTO incident_findings (`+findingCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
			ON CONFLICT (incident_id, provision_id) DO NOTHING`,
			f.IncidentID, f.Provision, f.Engaged, string(f.Outcome), f.Rationale, f.Version, f.ByAccount, f.ByLabel, f.At))
		return n == 1, err
	}
	n, err := store.Changed(tx.ExecContext(ctx, `UPDATE incident_findings SET engaged = $1, outcome = $2, rationale = $3, version = $4,
		by_account = $5, by_label = $6, at = $7 WHERE incident_id = $8 AND provision_id = $9 AND version = $10`,
		f.Engaged, string(f.Outcome), f.Rationale, f.Version, f.ByAccount, f.ByLabel, f.At, f.IncidentID, f.Provision, f.Version-1))
	return n == 1, err
}

// findingsOf reads the findings of incident id by provision id.
func findingsOf(ctx context.Context, q store.Queryer, id string) ([]Finding, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+findingCols+` FROM incident_findings WHERE incident_id = $1 ORDER BY provision_id`, id)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(r *sql.Rows) (Finding, error) { return scanFinding(r) })
}
