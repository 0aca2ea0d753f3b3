package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/detente/detente/internal/catalog"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/i18n"
	"github.com/detente/detente/internal/messaging"
)

// templateTitle is the title of a template's page: "Incident notification
// template".
func templateTitle(p *i18n.Printer, t messaging.Template) string {
	return p.T("{title} template", "title", templateText(p, t.Title))
}

// spareRows is how many empty field rows the editor offers for new fields.
const spareRows = 3

// fieldRow is one row of the template editor, as typed.
type fieldRow struct {
	Index    int
	Name     string
	Label    string
	Kind     string
	Required bool
	Choices  string
	Help     string
	Remove   bool // marked for removal: kept ticked if the form comes back
	Error    string
}

type templatesData struct {
	Templates []messaging.Template
}

type templateData struct {
	Template   messaging.Template
	Rows       []fieldRow
	Kinds      []messaging.FieldKind
	Provisions []catalog.Provision
	Selected   map[string]bool
	CanEdit    bool
}

// adminTemplates lists the current version of every template. Anyone
// signed in may read them; only the secretariat is offered to edit.
func (s *Server) adminTemplates(w http.ResponseWriter, r *http.Request) {
	ts, err := s.app.Messaging.Templates(r.Context(), who(r))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d := templatesData{Templates: ts}
	s.render(w, r, http.StatusOK, "templates", page{Title: s.printer(r).T("Communication templates"), Nav: "admin", Data: d})
}

func (s *Server) templateData(t messaging.Template, rows []fieldRow, canEdit bool) templateData {
	d := templateData{Template: t, Rows: rows, Kinds: messaging.FieldKinds(),
		Selected: map[string]bool{}, CanEdit: canEdit}
	d.Provisions = s.app.Catalog.Provisions(catalog.Filter{Kind: catalog.KindNorm})
	d.Provisions = append(d.Provisions, s.app.Catalog.Provisions(catalog.Filter{Kind: catalog.KindCBM})...)
	for _, p := range t.Provisions {
		d.Selected[p] = true
	}
	return d
}

func (s *Server) adminTemplate(w http.ResponseWriter, r *http.Request) {
	a := who(r)
	t, err := s.app.Messaging.ReadTemplate(r.Context(), a, messaging.Type(r.PathValue("type")))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	rows := make([]fieldRow, 0, len(t.Fields)+spareRows)
	for i, f := range t.Fields {
		rows = append(rows, fieldRow{Index: i, Name: f.Name, Label: f.Label, Kind: string(f.Kind), Required: f.Required, Choices: strings.Join(f.Choices, ", "), Help: f.Help})
	}
	for i := range spareRows {
		rows = append(rows, fieldRow{Index: len(t.Fields) + i, Kind: string(messaging.Text)})
	}
	s.render(w, r, http.StatusOK, "template", page{Title: templateTitle(s.printer(r), t), Nav: "admin", Data: s.templateData(t, rows, a.IsSecretariat())})
}

// publishTemplate reads the editor's rows into a new version. Rows left
// empty or marked for removal are dropped; the service's field errors,
// which count the kept fields, are put back on the rows they came from.
func (s *Server) publishTemplate(w http.ResponseWriter, r *http.Request) {
	a := who(r)
	f := r.PostForm
	typ := messaging.Type(r.PathValue("type"))
	current, err := s.app.Messaging.ReadTemplate(r.Context(), a, typ)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	t := messaging.Template{Type: typ, Title: f.Get("title"), Description: f.Get("description"), Provisions: f["provisions"]}
	n, _ := strconv.Atoi(f.Get("rows"))
	n = min(max(n, 0), 100)
	var rows []fieldRow
	var kept []int // row of each kept field
	for i := range n {
		k := func(name string) string { return strings.TrimSpace(f.Get(fmt.Sprintf("f%d_%s", i, name))) }
		row := fieldRow{Index: i, Name: k("name"), Label: k("label"), Kind: k("kind"), Required: k("required") == "yes", Choices: k("choices"), Help: k("help"),
			Remove: k("remove") == "yes"}
		rows = append(rows, row)
		if row.Remove || (row.Name == "" && row.Label == "") {
			continue
		}
		kept = append(kept, i)
		t.Fields = append(t.Fields, messaging.Field{Name: row.Name, Label: row.Label, Kind: messaging.FieldKind(row.Kind), Required: row.Required,
			Choices: splitList(row.Choices), Help: row.Help})
	}
	saved, err := s.app.Messaging.PublishTemplate(r.Context(), a, t)
	if err != nil {
		p := s.printer(r)
		fields := errs.FieldsOf(err)
		for j, i := range kept {
			rows[i].Error = p.Known(fields[fmt.Sprintf("fields[%d]", j)])
		}
		t.Version = current.Version
		s.renderForm(w, r, "template", page{Title: templateTitle(p, current), Nav: "admin", Data: s.templateData(t, rows, true)}, err)
		return
	}
	redirect(w, r, "/admin/templates/"+string(saved.Type)+"?done=published")
}
