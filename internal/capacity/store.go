package capacity

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/detente/detente/internal/sharing"
	"github.com/detente/detente/internal/store"
)

// The SQL of the capacity tables.

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

func unjson(pairs ...any) error {
	for k := 0; k < len(pairs); k += 2 {
		if err := json.Unmarshal([]byte(pairs[k].(string)), pairs[k+1]); err != nil {
			return err
		}
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
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

func anys(ids []string) []any {
	out := make([]any, len(ids))
	for k, id := range ids {
		out[k] = id
	}
	return out
}

const needCols = `n.id, n.state_code, n.title, n.description, n.topics, n.provisions, n.languages, n.region, n.status, n.visibility,
	n.source_report, n.source_provision, n.version, n.created_at, n.updated_at, n.updated_by`

func scanNeed(r interface{ Scan(...any) error }) (Need, error) {
	var n Need
	var topics, provs, langs, status, vis string
	err := r.Scan(&n.ID, &n.State, &n.Title, &n.Description, &topics, &provs, &langs, &n.Region, &status, &vis,
		&n.SourceReport, &n.SourceProvision, &n.Version, &n.CreatedAt, &n.UpdatedAt, &n.UpdatedBy)
	if err != nil {
		return n, err
	}
	n.Status, n.Visibility = Status(status), Visibility(vis)
	n.CreatedAt, n.UpdatedAt = n.CreatedAt.UTC(), n.UpdatedAt.UTC()
	return n, unjson(topics, &n.Topics, provs, &n.Provisions, langs, &n.Languages)
}

const offerCols = `o.id, o.owner_state, o.kind, o.title, o.description, o.topics, o.provisions, o.languages, o.regions, o.capacity,
	o.available_from, o.available_until, o.status, o.visibility, o.version, o.created_at, o.updated_at, o.updated_by`

func scanOffer(r interface{ Scan(...any) error }) (Offer, error) {
	var o Offer
	var kind, topics, provs, langs, regions, status, vis string
	var from, until sql.NullTime
	err := r.Scan(&o.ID, &o.Owner, &kind, &o.Title, &o.Description, &topics, &provs, &langs, &regions, &o.Capacity,
		&from, &until, &status, &vis, &o.Version, &o.CreatedAt, &o.UpdatedAt, &o.UpdatedBy)
	if err != nil {
		return o, err
	}
	o.Kind, o.Status, o.Visibility = OfferKind(kind), Status(status), Visibility(vis)
	o.CreatedAt, o.UpdatedAt = o.CreatedAt.UTC(), o.UpdatedAt.UTC()
	if from.Valid {
		t := from.Time.UTC()
		o.From = &t
	}
	if until.Valid {
		t := until.Time.UTC()
		o.Until = &t
	}
	return o, unjson(topics, &o.Topics, provs, &o.Provisions, langs, &o.Languages, regions, &o.Regions)
}

func insertNeed(ctx context.Context, tx *sql.Tx, n Need, createdBy string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO capacity_needs (id, state_code, title, description, topics, provisions, languages, region,
		status, visibility, source_report, source_provision, version, created_by, created_at, updated_at, updated_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
		n.ID, n.State, n.Title, n.Description, jsonOf(orEmpty(n.Topics)), jsonOf(orEmpty(n.Provisions)), jsonOf(orEmpty(n.Languages)), n.Region,
		string(n.Status), string(n.Visibility), n.SourceReport, n.SourceProvision, n.Version, createdBy, n.CreatedAt, n.UpdatedAt, n.UpdatedBy)
	if err != nil {
		return err
	}
	return replaceTags(ctx, tx, "need", n.ID, n.Topics, n.Provisions, n.Languages, []string{n.Region})
}

// updateNeed writes n over version n.Version-1 and reports whether that
// version was still the current one.
func updateNeed(ctx context.Context, tx *sql.Tx, n Need) (bool, error) {
	c, err := store.Changed(tx.ExecContext(ctx, `UPDATE capacity_needs SET title = $1, description = $2, topics = $3, provisions = $4,
		languages = $5, region = $6, status = $7, visibility = $8, source_report = $9, source_provision = $10, version = $11,
		updated_at = $12, updated_by = $13 WHERE id = $14 AND version = $15`,
		n.Title, n.Description, jsonOf(orEmpty(n.Topics)), jsonOf(orEmpty(n.Provisions)), jsonOf(orEmpty(n.Languages)), n.Region,
		string(n.Status), string(n.Visibility), n.SourceReport, n.SourceProvision, n.Version, n.UpdatedAt, n.UpdatedBy, n.ID, n.Version-1))
	if err != nil || c == 0 {
		return false, err
	}
	return true, replaceTags(ctx, tx, "need", n.ID, n.Topics, n.Provisions, n.Languages, []string{n.Region})
}

// markPartnered moves an open need into partnership, as a new version.
// Who last changed it stays its own State's editor: the other side's
// acceptance is in the audit log, not in the need.
func markPartnered(ctx context.Context, tx *sql.Tx, id string) error {
	_, err := tx.ExecContext(ctx, `UPDATE capacity_needs SET status = $1, version = version + 1 WHERE id = $2 AND status = $3`,
		string(Partnered), id, string(Open))
	return err
}

func insertOffer(ctx context.Context, tx *sql.Tx, o Offer, createdBy string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO capacity_offers (id, owner_state, kind, title, description, topics, provisions, languages,
		regions, capacity, available_from, available_until, status, visibility, version, created_by, created_at, updated_at, updated_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
		o.ID, o.Owner, string(o.Kind), o.Title, o.Description, jsonOf(orEmpty(o.Topics)), jsonOf(orEmpty(o.Provisions)),
		jsonOf(orEmpty(o.Languages)), jsonOf(orEmpty(o.Regions)), o.Capacity, store.NullTime(o.From), store.NullTime(o.Until),
		string(o.Status), string(o.Visibility), o.Version, createdBy, o.CreatedAt, o.UpdatedAt, o.UpdatedBy)
	if err != nil {
		return err
	}
	return replaceTags(ctx, tx, "offer", o.ID, o.Topics, o.Provisions, o.Languages, servedRegions(o))
}

// servedRegions are the region tags of an offer: its groups, or "*" for
// every group.
func servedRegions(o Offer) []string {
	if len(o.Regions) == 0 {
		return []string{"*"}
	}
	return o.Regions
}

func updateOffer(ctx context.Context, tx *sql.Tx, o Offer) (bool, error) {
	c, err := store.Changed(tx.ExecContext(ctx, `UPDATE capacity_offers SET kind = $1, title = $2, description = $3, topics = $4,
		provisions = $5, languages = $6, regions = $7, capacity = $8, available_from = $9, available_until = $10, status = $11,
		visibility = $12, version = $13, updated_at = $14, updated_by = $15 WHERE id = $16 AND version = $17`,
		string(o.Kind), o.Title, o.Description, jsonOf(orEmpty(o.Topics)), jsonOf(orEmpty(o.Provisions)), jsonOf(orEmpty(o.Languages)),
		jsonOf(orEmpty(o.Regions)), o.Capacity, store.NullTime(o.From), store.NullTime(o.Until), string(o.Status), string(o.Visibility),
		o.Version, o.UpdatedAt, o.UpdatedBy, o.ID, o.Version-1))
	if err != nil || c == 0 {
		return false, err
	}
	return true, replaceTags(ctx, tx, "offer", o.ID, o.Topics, o.Provisions, o.Languages, servedRegions(o))
}

// replaceTags writes an item's facets one per row; languages by their
// primary subtag.
func replaceTags(ctx context.Context, tx *sql.Tx, kind, id string, topics []Topic, provs, langs, regions []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM capacity_tags WHERE item_id = $1`, id); err != nil {
		return err
	}
	type tag struct{ facet, value string }
	seen := map[tag]bool{}
	var tags []tag
	add := func(facet, value string) {
		t := tag{facet, value}
		if !seen[t] {
			seen[t] = true
			tags = append(tags, t)
		}
	}
	for _, t := range topics {
		add("topic", string(t))
	}
	for _, p := range provs {
		add("provision", p)
	}
	for _, l := range langs {
		add("language", primary(l))
	}
	for _, r := range regions {
		add("region", r)
	}
	if len(tags) == 0 {
		return nil
	}
	var b strings.Builder
	args := []any{kind, id}
	b.WriteString(`INSERT INTO capacity_tags (kind, item_id, facet, value) VALUES `)
	for k, t := range tags {
		if k > 0 {
			b.WriteString(", ")
		}
		args = append(args, t.facet, t.value)
		fmt.Fprintf(&b, "($1, $2, $%d, $%d)", len(args)-1, len(args))
	}
	_, err := tx.ExecContext(ctx, b.String(), args...)
	return err
}

func selectNeed(ctx context.Context, q store.Queryer, id string) (Need, error) {
	return scanNeed(q.QueryRowContext(ctx, `SELECT `+needCols+` FROM capacity_needs n WHERE n.id = $1`, id))
}

func selectOffer(ctx context.Context, q store.Queryer, id string) (Offer, error) {
	return scanOffer(q.QueryRowContext(ctx, `SELECT `+offerCols+` FROM capacity_offers o WHERE o.id = $1`, id))
}

// selectNeeds and selectOffers read the items ids in one query each.
func selectNeeds(ctx context.Context, q store.Queryer, ids []string) ([]Need, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err := q.QueryContext(ctx, `SELECT `+needCols+` FROM capacity_needs n WHERE n.id IN (`+placeholders(1, len(ids))+`) ORDER BY n.id`, anys(ids)...)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(r *sql.Rows) (Need, error) { return scanNeed(r) })
}

func selectOffers(ctx context.Context, q store.Queryer, ids []string) ([]Offer, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err := q.QueryContext(ctx, `SELECT `+offerCols+` FROM capacity_offers o WHERE o.id IN (`+placeholders(1, len(ids))+`) ORDER BY o.id`, anys(ids)...)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(r *sql.Rows) (Offer, error) { return scanOffer(r) })
}

// candidates lists the items of kind that share a topic or a provision
// with the given ones, by the tags' index.
func candidates(ctx context.Context, q store.Queryer, kind string, topics []Topic, provs []string) ([]string, error) {
	args := []any{kind}
	var ors []string
	if len(topics) > 0 {
		for _, t := range topics {
			args = append(args, string(t))
		}
		ors = append(ors, `(facet = 'topic' AND value IN (`+placeholders(2, len(topics))+`))`)
	}
	if len(provs) > 0 {
		from := len(args) + 1
		for _, p := range provs {
			args = append(args, p)
		}
		ors = append(ors, `(facet = 'provision' AND value IN (`+placeholders(from, len(provs))+`))`)
	}
	if len(ors) == 0 {
		return nil, nil
	}
	rows, err := q.QueryContext(ctx, `SELECT DISTINCT item_id FROM capacity_tags WHERE kind = $1 AND (`+strings.Join(ors, " OR ")+`)`, args...)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(r *sql.Rows) (string, error) {
		var id string
		return id, r.Scan(&id)
	})
}

func deleteMatches(ctx context.Context, tx *sql.Tx, col, id string) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM capacity_matches WHERE `+col+` = $1`, id)
	return err
}

func insertMatch(ctx context.Context, tx *sql.Tx, n Need, o Offer, sh Shared, score int, at time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO capacity_matches (need_id, offer_id, need_state, offer_state, score, shared, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, n.ID, o.ID, n.State, o.Owner, score, jsonOf(sh), at)
	return err
}

func matchExists(ctx context.Context, q store.Queryer, need, offer string) (bool, error) {
	var one int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM capacity_matches WHERE need_id = $1 AND offer_id = $2`, need, offer).Scan(&one)
	if store.NoRows(err) {
		return false, nil
	}
	return err == nil, err
}

type matchRow struct {
	need, offer string
	shared      Shared
}

// selectMatches reads up to limit suggestions of one item (col need_id or
// offer_id), most in common first.
func selectMatches(ctx context.Context, q store.Queryer, col, id string, limit int) ([]matchRow, error) {
	other := "offer_id"
	if col == "offer_id" {
		other = "need_id"
	}
	rows, err := q.QueryContext(ctx, `SELECT need_id, offer_id, shared FROM capacity_matches WHERE `+col+` = $1
		ORDER BY score DESC, `+other+` LIMIT $2`, id, limit)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(r *sql.Rows) (matchRow, error) {
		var m matchRow
		var sh string
		if err := r.Scan(&m.need, &m.offer, &sh); err != nil {
			return m, err
		}
		return m, json.Unmarshal([]byte(sh), &m.shared)
	})
}

const partnershipCols = `p.id, p.need_id, p.offer_id, p.need_state, p.offer_state, n.title, o.title, o.kind, n.topics, n.provisions,
	p.status, p.proposed_by, p.note, p.need_publish, p.offer_publish, p.published_at, p.version, p.created_at, p.updated_at, p.updated_by`

const partnershipFrom = ` FROM capacity_partnerships p JOIN capacity_needs n ON n.id = p.need_id JOIN capacity_offers o ON o.id = p.offer_id`

func scanPartnership(r interface{ Scan(...any) error }) (Partnership, error) {
	var p Partnership
	var kind, topics, provs, status, by string
	var needPub, offerPub int
	var pub sql.NullTime
	err := r.Scan(&p.ID, &p.NeedID, &p.OfferID, &p.NeedState, &p.OfferState, &p.NeedTitle, &p.OfferTitle, &kind, &topics, &provs,
		&status, &by, &p.Note, &needPub, &offerPub, &pub, &p.Version, &p.CreatedAt, &p.UpdatedAt, &p.UpdatedBy)
	if err != nil {
		return p, err
	}
	p.OfferKind, p.Status, p.ProposedBy = OfferKind(kind), PartnershipStatus(status), Side(by)
	p.NeedPublish, p.OfferPublish = needPub == 1, offerPub == 1
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	if pub.Valid {
		t := pub.Time.UTC()
		p.PublishedAt = &t
	}
	return p, unjson(topics, &p.Topics, provs, &p.Provisions)
}

func selectPartnership(ctx context.Context, q store.Queryer, id string) (Partnership, error) {
	return scanPartnership(q.QueryRowContext(ctx, `SELECT `+partnershipCols+partnershipFrom+` WHERE p.id = $1`, id))
}

func partnershipOfPair(ctx context.Context, q store.Queryer, need, offer string) (Partnership, error) {
	return scanPartnership(q.QueryRowContext(ctx, `SELECT `+partnershipCols+partnershipFrom+` WHERE p.need_id = $1 AND p.offer_id = $2`, need, offer))
}

// partnershipsOf reads the partnerships of one need or offer.
func partnershipsOf(ctx context.Context, q store.Queryer, col, id string) ([]Partnership, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+partnershipCols+partnershipFrom+` WHERE p.`+col+` = $1 ORDER BY p.id`, id)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(r *sql.Rows) (Partnership, error) { return scanPartnership(r) })
}

func insertPartnership(ctx context.Context, tx *sql.Tx, p Partnership) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO capacity_partnerships (id, need_id, offer_id, need_state, offer_state, status, proposed_by,
		note, need_publish, offer_publish, published_at, version, created_at, updated_at, updated_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
		p.ID, p.NeedID, p.OfferID, p.NeedState, p.OfferState, string(p.Status), string(p.ProposedBy), p.Note,
		boolInt(p.NeedPublish), boolInt(p.OfferPublish), store.NullTime(p.PublishedAt), p.Version, p.CreatedAt, p.UpdatedAt, p.UpdatedBy)
	return err
}

func updatePartnership(ctx context.Context, tx *sql.Tx, p Partnership) (bool, error) {
	c, err := store.Changed(tx.ExecContext(ctx, `UPDATE capacity_partnerships SET status = $1, proposed_by = $2, note = $3, need_publish = $4,
		offer_publish = $5, published_at = $6, version = $7, updated_at = $8, updated_by = $9 WHERE id = $10 AND version = $11`,
		string(p.Status), string(p.ProposedBy), p.Note, boolInt(p.NeedPublish), boolInt(p.OfferPublish), store.NullTime(p.PublishedAt),
		p.Version, p.UpdatedAt, p.UpdatedBy, p.ID, p.Version-1))
	return c == 1, err
}

// filterSQL adds the filter's conditions on items of kind at alias x.
func filterSQL(kind, x string, f Filter, args []any) (string, []any) {
	var where []string
	tag := func(facet string, values ...string) {
		args = append(args, kind, facet)
		k, fc := len(args)-1, len(args)
		var vs []string
		for _, v := range values {
			args = append(args, v)
			vs = append(vs, fmt.Sprintf("$%d", len(args)))
		}
		where = append(where, fmt.Sprintf(`EXISTS (SELECT 1 FROM capacity_tags t WHERE t.kind = $%d AND t.facet = $%d AND t.value IN (%s) AND t.item_id = %s.id)`,
			k, fc, strings.Join(vs, ", "), x))
	}
	if f.Topic != "" {
		tag("topic", string(f.Topic))
	}
	if f.Provision != "" {
		tag("provision", f.Provision)
	}
	if f.Language != "" {
		tag("language", f.Language)
	}
	if f.Region != "" {
		if kind == "offer" {
			tag("region", f.Region, "*")
		} else {
			tag("region", f.Region)
		}
	}
	if len(where) == 0 {
		return "", args
	}
	return " AND " + strings.Join(where, " AND "), args
}

func keySQL(x, col string, after *listKey, args []any) (string, []any) {
	if after == nil {
		return "", args
	}
	args = append(args, after.at, after.id)
	return fmt.Sprintf(" AND (%s.%s, %s.id) < ($%d, $%d)", x, col, x, len(args)-1, len(args)), args
}

func listNeeds(ctx context.Context, q store.Queryer, r sharing.Reader, f Filter, after *listKey, limit int) ([]Need, error) {
	where, args := r.Where("n", "state_code", nil)
	if f.State != "" {
		args = append(args, f.State)
		where += fmt.Sprintf(" AND n.state_code = $%d", len(args))
	}
	more, args := filterSQL("need", "n", f, args)
	key, args := keySQL("n", "created_at", after, args)
	args = append(args, limit)
	rows, err := q.QueryContext(ctx, `SELECT `+needCols+` FROM capacity_needs n WHERE `+where+more+key+
		fmt.Sprintf(` ORDER BY n.created_at DESC, n.id DESC LIMIT $%d`, len(args)), args...)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(r *sql.Rows) (Need, error) { return scanNeed(r) })
}

func listOffers(ctx context.Context, q store.Queryer, r sharing.Reader, f Filter, byOwner bool, after *listKey, limit int) ([]Offer, error) {
	where, args := r.Where("o", "owner_state", nil)
	if byOwner {
		args = append(args, f.State)
		where += fmt.Sprintf(" AND o.owner_state = $%d", len(args))
	}
	more, args := filterSQL("offer", "o", f, args)
	key, args := keySQL("o", "created_at", after, args)
	args = append(args, limit)
	rows, err := q.QueryContext(ctx, `SELECT `+offerCols+` FROM capacity_offers o WHERE `+where+more+key+
		fmt.Sprintf(` ORDER BY o.created_at DESC, o.id DESC LIMIT $%d`, len(args)), args...)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(r *sql.Rows) (Offer, error) { return scanOffer(r) })
}

func listPublished(ctx context.Context, q store.Queryer, after *listKey, limit int) ([]Partnership, error) {
	key, args := keySQL("p", "published_at", after, nil)
	args = append(args, limit)
	rows, err := q.QueryContext(ctx, `SELECT `+partnershipCols+partnershipFrom+` WHERE p.published_at IS NOT NULL`+key+
		fmt.Sprintf(` ORDER BY p.published_at DESC, p.id DESC LIMIT $%d`, len(args)), args...)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(r *sql.Rows) (Partnership, error) { return scanPartnership(r) })
}

// listPublishedWith reads the published partnerships state is a side of,
// through the two sides' indexes: a State has few.
func listPublishedWith(ctx context.Context, q store.Queryer, state string, limit int) ([]Partnership, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+partnershipCols+partnershipFrom+
		` WHERE p.published_at IS NOT NULL AND (p.need_state = $1 OR p.offer_state = $1) ORDER BY p.published_at DESC, p.id DESC LIMIT $2`, state, limit)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(r *sql.Rows) (Partnership, error) { return scanPartnership(r) })
}

// listMine reads the partnerships side (a State's code, or "" for the
// secretariat) is party to.
func listMine(ctx context.Context, q store.Queryer, side string, after *listKey, limit int) ([]Partnership, error) {
	where := "p.offer_state = $1"
	if side != "" {
		where = "(p.need_state = $1 OR p.offer_state = $1)"
	}
	key, args := keySQL("p", "updated_at", after, []any{side})
	args = append(args, limit)
	rows, err := q.QueryContext(ctx, `SELECT `+partnershipCols+partnershipFrom+` WHERE `+where+key+
		fmt.Sprintf(` ORDER BY p.updated_at DESC, p.id DESC LIMIT $%d`, len(args)), args...)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(r *sql.Rows) (Partnership, error) { return scanPartnership(r) })
}
