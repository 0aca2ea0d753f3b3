package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"golang.org/x/text/collate"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/audit"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/i18n"
	paging "github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/states"
)

// The administration lists: accounts, participation and the audit log,
// each searched, filtered and paged the same way.

// accountList is the list part of the accounts page.
type accountList struct {
	Filter access.AccountFilter
	Pager  pager
	// Errors are the filters the service refused, kept apart from the
	// create form's errors, whose fields have the same names.
	Errors map[string]string
}

// accountList reads the page's filters and loads one page of accounts.
// Refused filters are shown beside the filters rather than failing the
// page, which also holds the form to create an account.
func (s *Server) accountList(r *http.Request) ([]access.Account, accountList, error) {
	if err := s.app.Access.CanList(who(r)); err != nil {
		return nil, accountList{}, err
	}
	q := r.URL.Query()
	l := accountList{Filter: access.AccountFilter{Query: q.Get("q"), State: q.Get("state"), Role: actor.Role(q.Get("role")),
		Status: q.Get("status"), ID: q.Get("id")}}
	req, err := paging.Parse(q)
	if err == nil {
		var res paging.Page[access.Account]
		res, err = s.app.Access.AccountPage(r.Context(), who(r), l.Filter, req)
		if err == nil {
			l.Pager = pagerFor(r, res.Next)
			return res.Items, l, nil
		}
	}
	if errs.Is(err, errs.Invalid) {
		l.Errors = errs.FieldsOf(err)
		return nil, l, nil
	}
	return nil, l, err
}

type adminStatesData struct {
	States        []directory.State
	Filter        directory.StateFilter
	Participating string // "yes", "no" or "" as the form sent it
	Regions       []string
	Counts        map[string]int
	Pager         pager
	// A participation form that came back: its State, what was typed
	// and what to fix, shown beside that row's date field.
	Row      string
	RowSince string
	RowError string
}

func (s *Server) adminStates(w http.ResponseWriter, r *http.Request) {
	s.statesPage(w, r, r.URL.Query(), adminStatesData{}, http.StatusOK)
}

// statesPage renders the participation page for the filters in q; back
// carries a row's form that came back with an error.
func (s *Server) statesPage(w http.ResponseWriter, r *http.Request, q url.Values, back adminStatesData, status int) {
	a := who(r)
	if err := s.app.Directory.CanRecordParticipation(a); err != nil {
		s.renderError(w, r, err)
		return
	}
	d := adminStatesData{Row: back.Row, RowSince: back.RowSince, RowError: back.RowError, Filter: directory.StateFilter{Query: q.Get("q"), Region: q.Get("region")}, Regions: states.Regions(),
		Participating: q.Get("participating"), Counts: map[string]int{}}
	switch d.Participating {
	case "yes", "no":
		b := d.Participating == "yes"
		d.Filter.Participating = &b
	}
	n, total, err := s.app.Directory.ParticipationCount(r.Context())
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d.Counts["participating"], d.Counts["all"] = n, total
	pg := page{Title: s.printer(r).T("Participation"), Nav: "admin", Data: d}
	req, err := paging.Parse(q)
	if err != nil {
		s.listProblem(w, r, "states", pg, err)
		return
	}
	res, err := s.app.Directory.StatePage(r.Context(), a, d.Filter, req)
	if err != nil {
		s.listProblem(w, r, "states", pg, err)
		return
	}
	d.States, d.Pager = res.Items, pagerFor(r, res.Next)
	pg.Data = d
	s.render(w, r, status, "states", pg)
}

// auditRow is an entry as the page shows it: the action in words, and a
// link to the object where the reader may open it.
type auditRow struct {
	audit.Entry
	Label string
	Link  string
}

type adminAuditData struct {
	Rows    []auditRow
	Filter  audit.Filter
	From    string
	To      string
	Actions []audit.Action // labelled in the reader's language, in its order
	Pager   pager
	// VerifyCommand checks the chain; a command, the same in every language.
	VerifyCommand string
}

// auditLabel names an action in p's language: en.po holds the audit
// package's labels in the context "audit action". A code without a label
// stays a code.
func auditLabel(p *i18n.Printer, code string) string {
	l := audit.Label(code)
	if l == code {
		return code
	}
	return p.TC("audit action", l)
}

// auditActions are the actions to filter by, labelled for p and sorted as
// its language sorts.
func auditActions(p *i18n.Printer) []audit.Action {
	as := audit.Actions()
	for i := range as {
		as[i].Label = auditLabel(p, as[i].Code)
	}
	col := collate.New(p.Language().Tag())
	slices.SortStableFunc(as, func(a, b audit.Action) int { return col.CompareString(a.Label, b.Label) })
	return as
}

func (s *Server) adminAudit(w http.ResponseWriter, r *http.Request) {
	a := who(r)
	q := r.URL.Query()
	pr := s.printer(r)
	f, ferr := audit.FilterFrom(q)
	d := adminAuditData{Filter: f, From: q.Get("from"), To: q.Get("to"), Actions: auditActions(pr), VerifyCommand: "detente audit verify"}
	pg := page{Title: pr.T("Audit log"), Nav: "admin", Data: d}
	if ferr != nil {
		// Only readers of the log are told what is wrong with a filter.
		if err := s.app.Audit.CanRead(a); err != nil {
			s.renderError(w, r, err)
			return
		}
		s.listProblem(w, r, "audit", pg, ferr)
		return
	}
	req, err := paging.Parse(q)
	if err != nil {
		s.listProblem(w, r, "audit", pg, err)
		return
	}
	res, err := s.app.Audit.Page(r.Context(), a, f, req)
	if err != nil {
		s.listProblem(w, r, "audit", pg, err)
		return
	}
	d.Rows = s.auditRows(r, pr, a, res.Items)
	d.Pager = pagerFor(r, res.Next)
	pg.Data = d
	s.render(w, r, http.StatusOK, "audit", pg)
}

// auditRows labels entries and links each object to its page where a may
// open it. Everything a reads in the log is its own State's or, for the
// secretariat, anyone's; messages are linked only where TLP lets a read
// them, asked of the messaging service in one query for the whole page.
func (s *Server) auditRows(r *http.Request, p *i18n.Printer, a actor.Actor, es []audit.Entry) []auditRow {
	var msgs []string
	for _, e := range es {
		if e.ObjectType == "message" {
			msgs = append(msgs, e.ObjectID)
		}
	}
	threads, err := s.app.Messaging.ThreadsOf(r.Context(), a, msgs)
	if err != nil {
		s.log.Warn("audit links to threads", "err", err)
	}
	rows := make([]auditRow, len(es))
	for i, e := range es {
		row := auditRow{Entry: e, Label: auditLabel(p, e.Action)}
		switch e.ObjectType {
		case "poc":
			row.Link = "/directory/pocs/" + e.ObjectID
		case "state":
			row.Link = "/directory/states/" + e.ObjectID
		case "account":
			row.Link = "/admin/accounts?id=" + e.ObjectID
		case "ping_campaign":
			row.Link = "/checks/" + e.ObjectID
		case "message":
			if t, ok := threads[e.ObjectID]; ok {
				row.Link = "/threads/" + t + "#m-" + e.ObjectID
			}
		case "webhook":
			// A webhook's page is for its owner only: its State's
			// administrators, or the secretariat for its own.
			if e.State == a.State && s.app.Webhooks.CanManage(a) {
				row.Link = "/admin/webhooks/" + e.ObjectID
			}
		case "message_template":
			if i := strings.LastIndex(e.ObjectID, "@"); i > 0 {
				row.Link = "/admin/templates/" + e.ObjectID[:i]
			}
		}
		rows[i] = row
	}
	return rows
}
