package audit

import (
	"context"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/validate"
)

// Filter selects entries for the audit page.
type Filter struct {
	ObjectType, ObjectID, State string
	Actor                       string    // an account id, or the label entries show (an email)
	Action                      string    // an action code, e.g. poc.edit
	From, To                    time.Time // days, both included; zero: open
	Limit                       int       // for List only
}

// FilterFrom reads a Filter from a query string, for the web page and the
// API alike; dates that are not dates are field errors naming the field.
func FilterFrom(q url.Values) (Filter, error) {
	f := Filter{ObjectType: strings.TrimSpace(q.Get("object_type")), ObjectID: strings.TrimSpace(q.Get("object_id")),
		Actor: strings.TrimSpace(q.Get("actor")), Action: strings.TrimSpace(q.Get("action")),
		State: strings.ToUpper(strings.TrimSpace(q.Get("state")))}
	var bad errs.Fields
	if f.State != "" && !stateCode.MatchString(f.State) {
		bad.Add("state", "use a two-letter ISO 3166-1 code, like FR")
	}
	for _, p := range []struct {
		name string
		val  string
	}{{"object_type", f.ObjectType}, {"object_id", f.ObjectID}, {"actor", f.Actor}, {"action", f.Action}} {
		if _, problem := validate.OneLine(p.val, 200); problem != "" {
			bad.Add(p.name, problem)
		}
	}
	if f.Action != "" && !actionCode.MatchString(f.Action) {
		bad.Add("action", "use an action code such as poc.edit")
	}
	day := func(name string) time.Time {
		v := strings.TrimSpace(q.Get(name))
		if v == "" {
			return time.Time{}
		}
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			bad.Add(name, "use a date like 2026-01-31")
		}
		return t
	}
	f.From, f.To = day("from"), day("to")
	if !f.From.IsZero() && !f.To.IsZero() && f.To.Before(f.From) {
		bad.Add("to", "use a date on or after the start date")
	}
	return f, bad.Err()
}

var (
	actionCode = regexp.MustCompile(`^[a-z_]+(\.[a-z_]+)*$`)
	stateCode  = regexp.MustCompile(`^[A-Z]{2}$`)
)

// scope narrows f to what a may read: the secretariat every entry, a State
// admin the entries about its own State.
func scope(a actor.Actor, f Filter) (Filter, error) {
	if err := a.RequireSignedIn(); err != nil {
		return f, err
	}
	switch {
	case a.IsSecretariat():
	case a.Role == actor.StateAdmin:
		f.State = a.State
	default:
		return f, errs.E(errs.Forbidden, "only administrators may read the audit log")
	}
	return f, nil
}

// CanRead says whether a may read the log at all, so pages refuse before
// looking at what was asked.
func (l *Log) CanRead(a actor.Actor) error {
	_, err := scope(a, Filter{})
	return err
}

// query reads entries matching f for the audit page (see selectEntries).
func (l *Log) query(ctx context.Context, f Filter, before int64, limit int) ([]Entry, error) {
	out, err := selectEntries(ctx, l.db.R, f, before, limit)
	if err != nil {
		return nil, errs.Internalf(err, "list audit")
	}
	return out, nil
}

// List returns the newest entries, at most f.Limit (100 by default, 500 at
// most). The secretariat sees every entry; a State admin sees the entries
// about its own State.
func (l *Log) List(ctx context.Context, a actor.Actor, f Filter) ([]Entry, error) {
	f, err := scope(a, f)
	if err != nil {
		return nil, err
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	return l.query(ctx, f, 0, f.Limit)
}

// Page is one page of the entries a may read that match f, newest first,
// keyed by sequence number so a reader can walk the whole log.
func (l *Log) Page(ctx context.Context, a actor.Actor, f Filter, req page.Request) (page.Page[Entry], error) {
	f, err := scope(a, f)
	if err != nil {
		return page.Page[Entry]{}, err
	}
	var before int64
	if req.After != nil {
		seq, err := strconv.ParseInt(req.After[0], 10, 64)
		if len(req.After) != 1 || err != nil || seq < 1 {
			return page.Page[Entry]{}, page.Damaged()
		}
		before = seq
	}
	limit := req.Size()
	out, err := l.query(ctx, f, before, limit+1)
	if err != nil {
		return page.Page[Entry]{}, err
	}
	return page.Cut(out, limit, func(e Entry) []string { return []string{strconv.FormatInt(e.Seq, 10)} }), nil
}
