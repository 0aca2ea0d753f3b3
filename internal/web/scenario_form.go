package web

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/messaging"
	"github.com/detente/detente/internal/scenario"
	"github.com/detente/detente/internal/tlp"
)

// The writers' form: new and edit. Objectives, roles, injects and each
// inject's expected actions are fixed numbers of rows, those recorded and
// one or two empty ones, so that no script is needed to add one; an empty
// row is none. The form's field names are the service's ("injects[2].
// expected[0].within"), so each error lands beside its field; rows left
// empty are skipped and the service's numbers mapped back to the rows.
// Times are whole minutes of scenario time. A communication's template
// fields are typed as "name: value" lines; a line that starts with a
// space continues the value above. Attachments come with imported files
// and are kept by inject key when the form saves.

const (
	scenarioSpareRows = 1
	scenarioMaxRows   = 110 // rows a form may send; the service counts what they hold
	expectSpareRows   = 1
	maxMinutes        = 10_000_000
	badMinutes        = "enter a whole number of minutes"
)

// scenarioImportRoute is the import form, which may post a file as large as
// a scenario file may be (attachments.go lets it through).
const scenarioImportRoute = "POST /exercises/scenarios/import"

type scenarioFormData struct {
	scenarioWords
	New        bool
	ID         string
	Objectives []int
	Roles      []int
	Injects    []injectRows
	Kinds      []scenario.InjectKind
	Levels     []scenario.Level
	Types      []messaging.Type
	Urgencies  []messaging.Urgency
	TLPs       []tlp.Label
	Actions    []scenario.Action
	Groups     []provisionGroup
}

// injectRows is one inject's row and its expected actions' rows.
type injectRows struct {
	Row      int
	Expected []int
}

// FieldErrors lists the template fields of inject row k that have an
// error, for the form to show beside the lines that hold them.
func (d scenarioFormData) FieldErrors(all map[string]string, k int) []string {
	prefix := fmt.Sprintf("injects[%d].fields.", k)
	var out []string
	for key := range all {
		if strings.HasPrefix(key, prefix) {
			out = append(out, key)
		}
	}
	slices.Sort(out)
	return out
}

// FieldName is the template field an error key of FieldErrors is about.
func (d scenarioFormData) FieldName(key string) string {
	_, name, _ := strings.Cut(key, ".fields.")
	return name
}

func rowsOf(n, spare int) []int {
	var out []int
	for i := range min(max(n, spare), scenarioMaxRows) {
		out = append(out, i)
	}
	return out
}

func (s *Server) scenarioFormData(r *http.Request, id string, form url.Values) scenarioFormData {
	p := s.printer(r)
	d := scenarioFormData{scenarioWords: scenarioWords{checkWords{p}}, New: id == "", ID: id, Kinds: scenario.Kinds(),
		Levels: scenario.Levels(), Types: messaging.Types(), Urgencies: messaging.Urgencies(), TLPs: tlp.Labels(),
		Actions: scenario.Actions(), Groups: findingGroups(p, s.app.Catalog)}
	d.Objectives = rowsOf(atoi(form.Get("objective_rows")), scenarioSpareRows)
	d.Roles = rowsOf(atoi(form.Get("role_rows")), 2)
	for _, k := range rowsOf(atoi(form.Get("inject_rows")), scenarioSpareRows) {
		d.Injects = append(d.Injects, injectRows{Row: k, Expected: rowsOf(atoi(form.Get(fmt.Sprintf("injects[%d].expected_rows", k))), expectSpareRows)})
	}
	return d
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0
	}
	return n
}

func minutes(d time.Duration) string { return strconv.Itoa(int(d / time.Minute)) }

// scenarioValues writes a scenario as the form holds it, with a spare row
// of each kind.
func scenarioValues(sc scenario.Scenario) url.Values {
	v := url.Values{"language": {sc.Language}, "title": {sc.Title}, "summary": {sc.Summary}, "narrative": {sc.Narrative},
		"duration": {minutes(sc.Duration)}, "version": {strconv.Itoa(sc.Version)}}
	for k, o := range sc.Objectives {
		f := fmt.Sprintf("objectives[%d].", k)
		v.Set(f+"text", o.Text)
		v[f+"provisions"] = o.Provisions
	}
	v.Set("objective_rows", strconv.Itoa(len(sc.Objectives)+scenarioSpareRows))
	for k, ro := range sc.Roles {
		f := fmt.Sprintf("roles[%d].", k)
		v.Set(f+"key", ro.Key)
		v.Set(f+"name", ro.Name)
		v.Set(f+"description", ro.Description)
	}
	v.Set("role_rows", strconv.Itoa(len(sc.Roles)+scenarioSpareRows))
	for k, i := range sc.Injects {
		f := fmt.Sprintf("injects[%d].", k)
		v.Set(f+"key", i.Key)
		v.Set(f+"offset", minutes(i.Offset))
		v.Set(f+"kind", string(i.Kind))
		v.Set(f+"title", i.Title)
		v.Set(f+"from_role", i.FromRole)
		v.Set(f+"from_simulated", i.FromSimulated)
		v.Set(f+"to_roles", strings.Join(i.ToRoles, " "))
		v.Set(f+"to_level", string(i.ToLevel))
		v.Set(f+"type", string(i.Type))
		v.Set(f+"urgency", string(i.Urgency))
		v.Set(f+"tlp", string(i.TLP))
		v.Set(f+"subject", i.Subject)
		v.Set(f+"body", i.Body)
		v.Set(f+"fields", fieldLines(i.Fields))
		v.Set(f+"prompt", i.Prompt)
		for n, e := range i.Expected {
			ef := fmt.Sprintf("%sexpected[%d].", f, n)
			v.Set(ef+"key", e.Key)
			v.Set(ef+"action", string(e.Action))
			v.Set(ef+"within", minutes(e.Within))
			v.Set(ef+"fields", strings.Join(e.Fields, " "))
			v.Set(ef+"level", string(e.Level))
			v.Set(ef+"to_role", e.ToRole)
			v.Set(ef+"note", e.Note)
		}
		v.Set(f+"expected_rows", strconv.Itoa(len(i.Expected)+expectSpareRows))
	}
	v.Set("inject_rows", strconv.Itoa(len(sc.Injects)+scenarioSpareRows))
	return v
}

// fieldLines writes template fields as the form's lines, in name order;
// the lines after a value's first are indented.
func fieldLines(fields map[string]string) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		b.WriteString(k + ": " + strings.ReplaceAll(fields[k], "\n", "\n  ") + "\n")
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// parseFieldLines reads fieldLines back; a line that is no "name: value"
// is reported.
func parseFieldLines(s string) (map[string]string, bool) {
	out := map[string]string{}
	last := ""
	for _, l := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		switch {
		case strings.TrimSpace(l) == "":
			continue
		case (l[0] == ' ' || l[0] == '\t') && last != "":
			out[last] += "\n" + strings.TrimSpace(l)
			continue
		}
		name, value, ok := strings.Cut(l, ":")
		if !ok {
			return out, false
		}
		last = strings.TrimSpace(name)
		out[last] = strings.TrimSpace(value)
	}
	return out, true
}

// rowMap maps the service's numbering of a list's items back to rows.
type rowMap struct {
	objectives, roles, injects []int
	expected                   map[int][]int // by inject item
}

// readMinutes reads a number of minutes into a duration, reporting what is
// no number in bad and passing on a negative time in its place, which the
// service refuses too; a number too large for any scenario is passed on
// for the service to refuse.
func readMinutes(bad *errs.Fields, f url.Values, field string) time.Duration {
	v := strings.TrimSpace(f.Get(field))
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		bad.Add(field, badMinutes)
		return -time.Minute
	}
	if err != nil || n > maxMinutes {
		n = maxMinutes
	}
	if n < -maxMinutes {
		n = -maxMinutes
	}
	return time.Duration(n) * time.Minute
}

// scenarioInput reads the form. Values that are not minutes, or template
// field lines that cannot be read, are reported in bad.
func scenarioInput(f url.Values) (in scenario.Input, rows rowMap, bad errs.Fields) {
	in = scenario.Input{Language: f.Get("language"), Title: f.Get("title"), Summary: f.Get("summary"), Narrative: f.Get("narrative")}
	in.Duration = readMinutes(&bad, f, "duration")
	rows.expected = map[int][]int{}
	for k := range min(max(atoi(f.Get("objective_rows")), 0), scenarioMaxRows) {
		p := fmt.Sprintf("objectives[%d].", k)
		o := scenario.Objective{Text: f.Get(p + "text"), Provisions: f[p+"provisions"]}
		if strings.TrimSpace(o.Text) == "" && len(o.Provisions) == 0 {
			continue
		}
		in.Objectives = append(in.Objectives, o)
		rows.objectives = append(rows.objectives, k)
	}
	for k := range min(max(atoi(f.Get("role_rows")), 0), scenarioMaxRows) {
		p := fmt.Sprintf("roles[%d].", k)
		ro := scenario.Role{Key: f.Get(p + "key"), Name: f.Get(p + "name"), Description: f.Get(p + "description")}
		if strings.TrimSpace(ro.Key+ro.Name+ro.Description) == "" {
			continue
		}
		in.Roles = append(in.Roles, ro)
		rows.roles = append(rows.roles, k)
	}
	for k := range min(max(atoi(f.Get("inject_rows")), 0), scenarioMaxRows) {
		p := fmt.Sprintf("injects[%d].", k)
		i := scenario.Inject{Key: strings.TrimSpace(f.Get(p + "key")), Kind: scenario.InjectKind(f.Get(p + "kind")), Title: f.Get(p + "title"),
			FromRole: f.Get(p + "from_role"), FromSimulated: f.Get(p + "from_simulated"), ToRoles: strings.Fields(f.Get(p + "to_roles")),
			ToLevel: scenario.Level(f.Get(p + "to_level")), Prompt: f.Get(p + "prompt")}
		if strings.TrimSpace(i.Title+i.Prompt+f.Get(p+"subject")+f.Get(p+"body")) == "" {
			continue
		}
		i.Offset = readMinutes(&bad, f, p+"offset")
		if i.Kind == scenario.Communication {
			i.Type, i.Urgency, i.TLP = messaging.Type(f.Get(p+"type")), messaging.Urgency(f.Get(p+"urgency")), tlp.Label(f.Get(p+"tlp"))
			i.Subject, i.Body = f.Get(p+"subject"), f.Get(p+"body")
			fields, ok := parseFieldLines(f.Get(p + "fields"))
			if !ok {
				// Passed on as a field no template has, so that the
				// service refuses the form as well.
				bad.Add(p+"fields", "write one field per line, as name: value")
				fields["?"] = "?"
			}
			i.Fields = fields
		} else {
			// A prompt keeps nothing of a communication the form may
			// still show.
			i.FromRole, i.FromSimulated = "", ""
		}
		item := len(in.Injects)
		if i.Key == "" {
			i.Key = fmt.Sprintf("i%d", k+1)
		}
		for n := range min(max(atoi(f.Get(p+"expected_rows")), 0), scenarioMaxRows) {
			ep := fmt.Sprintf("%sexpected[%d].", p, n)
			e := scenario.Expectation{Key: strings.TrimSpace(f.Get(ep + "key")), Action: scenario.Action(f.Get(ep + "action")),
				Fields: strings.Fields(f.Get(ep + "fields")), Level: scenario.Level(f.Get(ep + "level")),
				ToRole: strings.TrimSpace(f.Get(ep + "to_role")), Note: f.Get(ep + "note")}
			if e.Action == "" && strings.TrimSpace(e.Note) == "" {
				continue
			}
			e.Within = readMinutes(&bad, f, ep+"within")
			if e.Key == "" {
				e.Key = fmt.Sprintf("e%d", n+1)
			}
			i.Expected = append(i.Expected, e)
			rows.expected[item] = append(rows.expected[item], n)
		}
		in.Injects = append(in.Injects, i)
		rows.injects = append(rows.injects, k)
	}
	return in, rows, bad
}

var itemKey = regexp.MustCompile(`^(objectives|roles|injects)\[(\d+)\](?:\.expected\[(\d+)\])?(.*)$`)

// onScenarioRows maps the service's field names back to the form's rows.
func onScenarioRows(err error, rows rowMap) error {
	var e *errs.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return err
	}
	out := map[string]string{}
	for k, v := range e.Fields {
		if m := itemKey.FindStringSubmatch(k); m != nil {
			list := map[string][]int{"objectives": rows.objectives, "roles": rows.roles, "injects": rows.injects}[m[1]]
			item := atoi(m[2])
			if item < len(list) {
				k = fmt.Sprintf("%s[%d]", m[1], list[item])
				if m[3] != "" {
					n := atoi(m[3])
					if ex := rows.expected[item]; n < len(ex) {
						n = ex[n]
					}
					k += fmt.Sprintf(".expected[%d]", n)
				}
				k += m[4]
			}
		}
		out[k] = v
	}
	cp := *e
	cp.Fields = out
	return &cp
}

// keepAttachments gives each inject of in the attachments the inject of
// the same key had in sc: the form shows them but does not send them.
func keepAttachments(in *scenario.Input, sc scenario.Scenario) {
	for k := range in.Injects {
		for _, old := range sc.Injects {
			if old.Key == in.Injects[k].Key && in.Injects[k].Kind == scenario.Communication {
				in.Injects[k].Attachments = old.Attachments
			}
		}
	}
}

func (s *Server) scenarioNewForm(w http.ResponseWriter, r *http.Request) {
	if err := s.app.Scenarios.CanWrite(r.Context(), who(r)); err != nil {
		s.renderError(w, r, err)
		return
	}
	form := url.Values{"language": {"en"}, "objective_rows": {"2"}, "role_rows": {"2"}, "inject_rows": {"2"},
		"roles[0].key": {"A"}, "roles[1].key": {"B"}, "injects[0].kind": {string(scenario.Communication)},
		"injects[0].tlp": {string(tlp.Amber)}, "injects[0].urgency": {string(messaging.Priority)}, "injects[0].to_level": {string(scenario.Technical)},
		"injects[0].expected_rows": {"2"}, "injects[1].kind": {string(scenario.Prompt)}, "injects[1].expected_rows": {"2"}}
	d := s.scenarioFormData(r, "", form)
	s.render(w, r, http.StatusOK, "scenarioform", page{Title: s.printer(r).T("Write a scenario"), Nav: "exercises", Form: form, Data: d})
}

func (s *Server) scenarioEditForm(w http.ResponseWriter, r *http.Request) {
	a := who(r)
	sc, err := s.app.Scenarios.Scenario(r.Context(), a, r.PathValue("id"), 0)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	// A shipped scenario is edited as a copy: the form saves one.
	if err := s.app.Scenarios.CanEdit(r.Context(), a, sc); err != nil && !(sc.Shipped && s.app.Scenarios.CanWrite(r.Context(), a) == nil) {
		s.renderError(w, r, err)
		return
	}
	form := scenarioValues(sc)
	d := s.scenarioFormData(r, sc.ID, form)
	s.render(w, r, http.StatusOK, "scenarioform", page{Title: s.printer(r).T("Change the scenario"), Nav: "exercises", Form: form, Data: d})
}

func (s *Server) scenarioCreate(w http.ResponseWriter, r *http.Request) { s.scenarioSave(w, r, "") }

// scenarioSave writes a new scenario (id "") or a new version of one.
func (s *Server) scenarioSave(w http.ResponseWriter, r *http.Request, id string) {
	a := who(r)
	ctx := r.Context()
	in, rows, bad := scenarioInput(r.PostForm)
	var sc scenario.Scenario
	var err error
	done := "created"
	if id == "" {
		sc, err = s.app.Scenarios.Create(ctx, a, in)
	} else {
		version, _ := formVersion(r.PostForm)
		var old scenario.Scenario
		if old, err = s.app.Scenarios.Scenario(ctx, a, id, version); err == nil {
			keepAttachments(&in, old)
			sc, err = s.app.Scenarios.Save(ctx, a, id, version, in)
		}
		done = "saved"
		if err == nil && sc.ID != id {
			done = "not-edited"
		}
	}
	// What the page could not read reached the service as a value it
	// refuses, so a form with such a problem is never saved.
	if err == nil {
		redirect(w, r, "/exercises/scenarios/"+sc.ID+"?done="+done)
		return
	}
	err = withFieldErrors(onScenarioRows(err, rows), bad)
	d := s.scenarioFormData(r, id, r.PostForm)
	title := s.printer(r).T("Write a scenario")
	if id != "" {
		title = s.printer(r).T("Change the scenario")
	}
	s.renderForm(w, r, "scenarioform", page{Title: title, Nav: "exercises", Data: d}, err)
}

type scenarioImportData struct {
	Limit string
}

func (s *Server) scenarioImportForm(w http.ResponseWriter, r *http.Request) {
	if err := s.app.Scenarios.CanWrite(r.Context(), who(r)); err != nil {
		s.renderError(w, r, err)
		return
	}
	p := s.printer(r)
	s.render(w, r, http.StatusOK, "scenarioimport", page{Title: p.T("Import a scenario"), Nav: "exercises",
		Data: scenarioImportData{Limit: fileSize(p, scenario.MaxFile)}})
}

// scenarioImport reads an uploaded scenario file into a new scenario.
func (s *Server) scenarioImport(w http.ResponseWriter, r *http.Request) {
	a := who(r)
	p := s.printer(r)
	pg := page{Title: p.T("Import a scenario"), Nav: "exercises", Data: scenarioImportData{Limit: fileSize(p, scenario.MaxFile)}}
	if err := s.app.Scenarios.CanWrite(r.Context(), a); err != nil {
		s.renderError(w, r, err)
		return
	}
	var data []byte
	if r.MultipartForm != nil {
		if fhs := r.MultipartForm.File["file"]; len(fhs) > 0 {
			f, err := fhs[0].Open()
			if err != nil {
				s.renderError(w, r, errs.Internalf(err, "open uploaded scenario"))
				return
			}
			data, err = io.ReadAll(io.LimitReader(f, scenario.MaxFile+1))
			f.Close()
			if err != nil {
				s.renderError(w, r, errs.Internalf(err, "read uploaded scenario"))
				return
			}
		}
	}
	sc, err := s.app.Scenarios.Import(r.Context(), a, data)
	if err != nil {
		s.renderForm(w, r, "scenarioimport", pg, err)
		return
	}
	redirect(w, r, "/exercises/scenarios/"+sc.ID+"?done=imported")
}
