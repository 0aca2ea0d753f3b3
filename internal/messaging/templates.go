package messaging

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/audit"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/validate"
)

// FieldKind is how a template field is entered.
type FieldKind string

const (
	Text     FieldKind = "text"     // one line
	LongText FieldKind = "longtext" // several lines
	YesNo    FieldKind = "yesno"
	Choice   FieldKind = "choice"
	DateTime FieldKind = "datetime" // a moment in UTC, stored as RFC 3339
)

// FieldKinds lists the kinds a template field may have.
func FieldKinds() []FieldKind { return []FieldKind{Text, LongText, YesNo, Choice, DateTime} }

// dateLayouts are the ways people write a moment in a form; they are all
// read as UTC.
var dateLayouts = []string{"2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02T15:04:05", time.RFC3339, "2006-01-02"}

// ParseDateTime reads a date field's value. Refusing what is not a date
// keeps "yesterday evening" out of a field that other States sort by.
func ParseDateTime(v string) (time.Time, bool) {
	v = strings.TrimSuffix(strings.TrimSpace(v), " UTC")
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, v); err == nil && t.Year() >= 1970 && t.Year() < 10000 {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// Field is one structured field of the communication template.
type Field struct {
	Name     string
	Label    string
	Kind     FieldKind
	Required bool
	Choices  []string
	Help     string
}

// Template is one version of the standard template for a message type.
type Template struct {
	Type        Type
	Version     int
	Title       string
	Description string
	Fields      []Field
	Provisions  []string
	CreatedAt   time.Time
	CreatedBy   string
}

var sectors = []string{"energy", "health", "finance", "transport", "water", "telecommunications", "digital infrastructure",
	"government", "emergency services", "elections", "food", "space", "other"}

// defaultTemplates is version 1 of every type: the fields most States'
// CERTs already exchange, kept short so a message can be written under
// pressure.
func defaultTemplates() []Template {
	sector := Field{Name: "sector", Label: "Affected sector", Kind: Choice, Choices: sectors}
	ci := Field{Name: "critical_infrastructure", Label: "Critical infrastructure affected", Kind: YesNo}
	indicators := Field{Name: "indicators", Label: "Indicators", Kind: LongText, Help: "IP addresses, domains, hashes; one per line"}
	return []Template{
		{Type: IncidentNotification, Title: "Incident notification", Description: "Tell other States about an ICT incident that may concern them.",
			Fields: []Field{sector, ci,
				{Name: "started", Label: "Started (UTC)", Kind: DateTime, Help: "e.g. 2026-03-01 14:00"},
				{Name: "impact", Label: "Observed impact", Kind: LongText, Required: true},
				{Name: "status", Label: "Current status", Kind: Choice, Choices: []string{"ongoing", "contained", "resolved"}, Required: true},
				indicators},
			Provisions: []string{"cbm-1", "norm-b", "norm-g"}},
		{Type: AssistanceRequest, Title: "Request for assistance", Description: "Ask a State for help because critical infrastructure is subject to malicious ICT acts.",
			Fields: []Field{withRequired(sector), withRequired(ci),
				{Name: "assistance", Label: "Assistance requested", Kind: LongText, Required: true},
				{Name: "impact", Label: "Observed impact", Kind: LongText, Required: true}, indicators},
			Provisions: []string{"norm-h", "norm-g", "cbm-1"}},
		{Type: MitigationRequest, Title: "Request to mitigate activity from your territory", Description: "Ask a State to mitigate malicious ICT activity that emanates from its territory and targets critical infrastructure.",
			Fields: []Field{withRequired(sector),
				{Name: "activity", Label: "Activity observed", Kind: LongText, Required: true},
				withRequired(indicators),
				{Name: "observed_since", Label: "Observed since (UTC)", Kind: DateTime, Help: "e.g. 2026-03-01 14:00"}},
			Provisions: []string{"norm-h", "norm-c", "law-28f"}},
		{Type: InformationRequest, Title: "Request for information", Description: "Ask a State for information about an incident or a threat.",
			Fields:     []Field{{Name: "question", Label: "Information requested", Kind: LongText, Required: true}},
			Provisions: []string{"cbm-1", "norm-d"}},
		{Type: VulnerabilityReport, Title: "Vulnerability report", Description: "Report a vulnerability responsibly and share what is known about remedies.",
			Fields: []Field{{Name: "product", Label: "Product", Kind: Text, Required: true},
				{Name: "vendor", Label: "Vendor", Kind: Text},
				{Name: "cve", Label: "CVE identifier", Kind: Text, Help: "e.g. CVE-2026-12345"},
				{Name: "severity", Label: "Severity", Kind: Choice, Choices: []string{"low", "medium", "high", "critical"}, Required: true},
				{Name: "remedy", Label: "Known remedies", Kind: LongText}},
			Provisions: []string{"norm-j", "norm-i"}},
		{Type: Acknowledgement, Title: "Acknowledgement", Description: "Confirm that the message was received.", Provisions: []string{"cbm-1"}},
		{Type: Update, Title: "Update or response", Description: "Share progress, answer a request, or give the outcome of an action.",
			Fields:     []Field{{Name: "status", Label: "Status", Kind: Choice, Choices: []string{"in progress", "action taken", "unable to act", "information provided"}}},
			Provisions: []string{"cbm-1"}},
		{Type: Closure, Title: "Closure", Description: "Close the exchange.",
			Fields:     []Field{{Name: "outcome", Label: "Outcome", Kind: LongText, Required: true}},
			Provisions: []string{"cbm-1"}},
	}
}

func withRequired(f Field) Field { f.Required = true; return f }

// Types lists every message type in the template's order.
func Types() []Type {
	var out []Type
	for _, t := range defaultTemplates() {
		out = append(out, t.Type)
	}
	return out
}

// SyncTemplates writes version 1 of any type that has no version yet.
func (s *Service) SyncTemplates(ctx context.Context) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, t := range defaultTemplates() {
			n, err := countTemplates(ctx, tx, t.Type)
			if err != nil {
				return errs.Internalf(err, "count templates")
			}
			if n > 0 {
				continue
			}
			t.Version, t.CreatedAt, t.CreatedBy = 1, s.clock.Now(), "detente"
			if err := insertTemplate(ctx, tx, t); err != nil {
				return errs.Internalf(err, "insert template")
			}
		}
		return nil
	})
}

// Template returns the current version of a type's template. Templates are
// not secret: anyone signed in may read them.
func (s *Service) Template(ctx context.Context, typ Type) (Template, error) {
	return s.template(ctx, s.db.R, typ, 0)
}

// Templates returns the current version of every type's template, in the
// template's order, for a signed-in reader.
func (s *Service) Templates(ctx context.Context, a actor.Actor) ([]Template, error) {
	if err := a.RequireSignedIn(); err != nil {
		return nil, err
	}
	var out []Template
	for _, typ := range Types() {
		t, err := s.Template(ctx, typ)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// ReadTemplate is Template for a signed-in reader.
func (s *Service) ReadTemplate(ctx context.Context, a actor.Actor, typ Type) (Template, error) {
	if err := a.RequireSignedIn(); err != nil {
		return Template{}, err
	}
	return s.Template(ctx, typ)
}

func (s *Service) template(ctx context.Context, q store.Queryer, typ Type, version int) (Template, error) {
	t, err := selectTemplate(ctx, q, typ, version)
	if store.NoRows(err) {
		return Template{}, errs.E(errs.NotFound, "no template for message type %q", typ)
	}
	if err != nil {
		return Template{}, errs.Internalf(err, "load template")
	}
	return t, nil
}

// PublishTemplate adds a new version of a type's template. Only the
// secretariat adapts the template; messages keep the version they used.
func (s *Service) PublishTemplate(ctx context.Context, a actor.Actor, t Template) (Template, error) {
	if err := a.RequireWrite(); err != nil {
		return Template{}, err
	}
	if !a.IsSecretariat() {
		return Template{}, errs.E(errs.Forbidden, "only the secretariat adapts the communication template")
	}
	var f errs.Fields
	if !slices.Contains(Types(), t.Type) {
		f.Add("type", "unknown message type")
	}
	if strings.TrimSpace(t.Title) == "" {
		f.Add("title", "enter a title")
	} else if problem := cmp.Or(validate.Plain(t.Title), validate.Encoding(t.Title)); problem != "" {
		f.Add("title", "the title "+problem)
	}
	if problem := validate.Encoding(t.Description); problem != "" {
		f.Add("description", "the description "+problem)
	}
	seen := map[string]bool{}
	for i, fd := range t.Fields {
		key := fmt.Sprintf("fields[%d]", i)
		switch {
		case !validName(fd.Name):
			f.Add(key, "field names are lower-case letters, digits and underscores")
		case seen[fd.Name]:
			f.Add(key, "field names must be unique")
		case fd.Label == "":
			f.Add(key, "every field needs a label")
		case validate.Plain(fd.Label) != "":
			f.Add(key, "the label "+validate.Plain(fd.Label))
		case badText(append([]string{fd.Label, fd.Help}, fd.Choices...)) != "":
			f.Add(key, "the label, help or a choice "+badText(append([]string{fd.Label, fd.Help}, fd.Choices...)))
		case fd.Kind == Choice && len(fd.Choices) == 0:
			f.Add(key, "a choice field needs choices")
		case !slices.Contains(FieldKinds(), fd.Kind):
			f.Add(key, "kind is text, longtext, yesno, choice or datetime")
		}
		seen[fd.Name] = true
	}
	for _, p := range t.Provisions {
		if _, err := s.catalog.Provision(p); err != nil {
			f.Add("provisions", fmt.Sprintf("unknown provision %q", p))
		}
	}
	if err := f.Err(); err != nil {
		return Template{}, err
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		v, err := latestTemplateVersion(ctx, tx, t.Type)
		if err != nil {
			return errs.Internalf(err, "template version")
		}
		t.Version, t.CreatedAt, t.CreatedBy = v+1, s.clock.Now(), a.Label()
		if err := insertTemplate(ctx, tx, t); err != nil {
			if store.IsUnique(err) {
				return errs.E(errs.Conflict, "someone published a version at the same time; try again")
			}
			return errs.Internalf(err, "insert template")
		}
		return s.audit.Append(ctx, tx, a, audit.Change{Action: "template.publish", ObjectType: "message_template", ObjectID: fmt.Sprintf("%s@%d", t.Type, t.Version), Details: t})
	})
	return t, err
}

// badText is validate.Encoding's problem with the first of vs that has one.
func badText(vs []string) string {
	for _, v := range vs {
		if problem := validate.Encoding(v); problem != "" {
			return problem
		}
	}
	return ""
}

func validName(s string) bool {
	if s == "" || len(s) > 40 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// checkFields validates a message's structured fields against t.
func checkFields(t Template, in map[string]string, f *errs.Fields) map[string]string {
	out := map[string]string{}
	known := map[string]bool{}
	for _, fd := range t.Fields {
		known[fd.Name] = true
		v := strings.TrimSpace(in[fd.Name])
		key := "fields." + fd.Name
		switch {
		case v == "" && fd.Required:
			f.Add(key, "this field is required for a "+strings.ToLower(t.Title))
			continue
		case v == "":
			continue
		case fd.Kind == YesNo && v != "yes" && v != "no":
			f.Add(key, "answer yes or no")
		case fd.Kind == Choice && !slices.Contains(fd.Choices, v):
			f.Add(key, "choose one of: "+strings.Join(fd.Choices, ", "))
		case fd.Kind == Text && strings.ContainsAny(v, "\r\n"):
			f.Add(key, "use a single line")
		case fd.Kind == DateTime:
			t, ok := ParseDateTime(v)
			if !ok {
				f.Add(key, "enter a date and time in UTC, like 2026-03-01 14:00")
				break
			}
			v = t.Format(time.RFC3339)
		case validate.Encoding(v) != "":
			f.Add(key, "the text "+validate.Encoding(v))
		case len([]rune(v)) > 10_000:
			f.Add(key, "use at most 10,000 characters")
		}
		out[fd.Name] = v
	}
	for k, v := range in {
		if !known[k] && strings.TrimSpace(v) != "" {
			f.Add("fields."+k, "this field is not part of the template")
		}
	}
	return out
}
