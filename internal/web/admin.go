package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"golang.org/x/text/collate"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/i18n"
)

type adminAccountsData struct {
	Accounts   []access.Account // one page of them
	List       accountList      // the list's filters and paging
	Roles      []actor.Role
	States     []directory.State
	Created    *access.Account
	Password   string // a generated initial password, shown once
	FixedRole  bool
	Reset      *access.Reset // the reset just made; its link, if not mailed, shown once
	ResetMails bool          // resets mail their link (else it is shown)
	actor      actor.Actor
}

// CanReset says whether to offer the reset button for acc; the service
// decides again when it is pressed.
func (d adminAccountsData) CanReset(acc access.Account) bool { return access.CanReset(d.actor, acc) }

func (s *Server) adminAccountsData(r *http.Request) (adminAccountsData, error) {
	a := who(r)
	accs, list, err := s.accountList(r)
	if err != nil {
		return adminAccountsData{}, err
	}
	d := adminAccountsData{Accounts: accs, List: list, actor: a, ResetMails: s.app.Access.ResetsByMail()}
	if a.IsSecretariat() {
		d.Roles = actor.Roles
		if d.States, err = s.app.Directory.States(r.Context(), a); err != nil {
			return d, err
		}
		sortStates(s.printer(r), d.States)
	} else {
		d.Roles = []actor.Role{actor.StateAdmin, actor.POC, actor.Viewer}
	}
	return d, nil
}

// sortStates orders States as the choices name them in p's language
// (stateName): the directory lists them by their English names.
func sortStates(p *i18n.Printer, sts []directory.State) {
	if p.Language() == i18n.English {
		return
	}
	names := make(map[string]string, len(sts))
	for _, st := range sts {
		names[st.Code] = stateName(p, st.Code)
	}
	col := collate.New(p.Language().Tag())
	slices.SortStableFunc(sts, func(a, b directory.State) int { return col.CompareString(names[a.Code], names[b.Code]) })
}

func (s *Server) adminAccounts(w http.ResponseWriter, r *http.Request) {
	d, err := s.adminAccountsData(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	status := http.StatusOK
	if d.List.Errors != nil {
		status = http.StatusUnprocessableEntity
	}
	s.render(w, r, status, "accounts", page{Title: s.printer(r).T("Accounts"), Nav: "admin", Data: d})
}

func (s *Server) adminCreateAccount(w http.ResponseWriter, r *http.Request) {
	a := who(r)
	f := r.PostForm
	state := f.Get("state")
	if !a.IsSecretariat() {
		state = a.State // a State admin creates accounts of its own State only
	}
	// The initial password is optional (one is generated when left
	// empty), and typed twice when given.
	pw, repeat := f.Get("password"), f.Get("password2")
	acc, generated, err := s.app.Access.CreateAccount(r.Context(), a, access.NewAccount{
		Email: f.Get("email"), DisplayName: f.Get("display_name"), Role: actor.Role(f.Get("role")), State: state,
		Password: pw, Repeat: &repeat,
	})
	d, derr := s.adminAccountsData(r)
	if derr != nil {
		s.renderError(w, r, derr)
		return
	}
	if err != nil {
		f.Del("password")
		f.Del("password2")
		s.renderForm(w, r, "accounts", page{Title: s.printer(r).T("Accounts"), Nav: "admin", Data: d, Form: f}, err)
		return
	}
	d.Created, d.Password = &acc, generated
	s.render(w, r, http.StatusOK, "accounts", page{Title: s.printer(r).T("Accounts"), Nav: "admin", Data: d, Flash: flashes["created"]})
}

func (s *Server) adminDisable(w http.ResponseWriter, r *http.Request) { s.setDisabled(w, r, true) }
func (s *Server) adminEnable(w http.ResponseWriter, r *http.Request)  { s.setDisabled(w, r, false) }

func (s *Server) setDisabled(w http.ResponseWriter, r *http.Request, disabled bool) {
	if err := s.app.Access.SetDisabled(r.Context(), who(r), r.PathValue("id"), disabled); err != nil {
		s.renderError(w, r, err)
		return
	}
	redirect(w, r, "/admin/accounts?done=updated")
}

// adminReset lets a person back in: the service ends the account's
// sessions and tokens, clears its password and second factor, and mails a
// one-time link, or returns it to show here once when there is no mail.
func (s *Server) adminReset(w http.ResponseWriter, r *http.Request) {
	res, err := s.app.Access.ResetAccount(r.Context(), who(r), r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d, err := s.adminAccountsData(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d.Reset = &res
	s.render(w, r, http.StatusOK, "accounts", page{Title: s.printer(r).T("Accounts"), Nav: "admin", Data: d})
}

func (s *Server) adminParticipation(w http.ResponseWriter, r *http.Request) {
	code := strings.ToUpper(r.PathValue("code"))
	var since *time.Time
	v := r.PostForm.Get("since")
	// A form with an error comes back as the page showing that State's
	// row, with the date as typed and the message beside it, in the
	// reader's language.
	pr := s.printer(r)
	back := func(msg string) {
		s.statesPage(w, r, url.Values{"q": {code}}, adminStatesData{Row: code, RowSince: v, RowError: msg}, http.StatusUnprocessableEntity)
	}
	if r.PostForm.Get("participating") == "yes" {
		t := s.app.Clock.Now()
		if v != "" {
			p, err := time.Parse(time.DateOnly, v)
			if err != nil {
				back(pr.T("enter the date as YYYY-MM-DD, e.g. {example}", "example", "2026-03-01"))
				return
			}
			t = p
		}
		since = &t
	}
	if err := s.app.Directory.SetParticipation(r.Context(), who(r), code, since); err != nil {
		if msg := errs.FieldsOf(err)["since"]; msg != "" {
			back(pr.Known(msg))
			return
		}
		s.renderError(w, r, err)
		return
	}
	redirect(w, r, "/admin/states?done=saved")
}
