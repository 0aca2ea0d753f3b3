package scenario

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/messaging"
	"github.com/detente/detente/internal/tlp"
)

// The scenario file format (docs/SCENARIOS.md): one JSON object naming the
// format and its version, then the scenario's text, roles and timeline.
// Durations are ISO 8601 durations of whole days, hours, minutes and
// seconds ("PT30M", "P1DT2H"). Reading is strict: an unknown field, a
// second value after the object, a wrong type or a file over MaxFile is
// refused with a field error, never guessed at.
const (
	FormatName    = "detente-scenario"
	FormatVersion = 1
	// MaxFile bounds a scenario file; its attachments are most of it.
	MaxFile = 40 << 20
)

type wireScenario struct {
	Format     string          `json:"format"`
	Version    int             `json:"version"`
	Language   string          `json:"language"`
	Title      string          `json:"title"`
	Summary    string          `json:"summary,omitempty"`
	Narrative  string          `json:"narrative,omitempty"`
	Duration   string          `json:"duration"`
	Objectives []wireObjective `json:"objectives"`
	Roles      []wireRole      `json:"roles"`
	Injects    []wireInject    `json:"injects"`
}

type wireObjective struct {
	Text       string   `json:"text"`
	Provisions []string `json:"provisions"`
}

type wireRole struct {
	Key         string `json:"key"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

type wireInject struct {
	Key           string            `json:"key"`
	Offset        string            `json:"offset"`
	Kind          string            `json:"kind"`
	Title         string            `json:"title"`
	FromRole      string            `json:"from_role,omitempty"`
	FromSimulated string            `json:"from_simulated,omitempty"`
	ToRoles       []string          `json:"to_roles"`
	ToLevel       string            `json:"to_level,omitempty"`
	Type          string            `json:"type,omitempty"`
	Urgency       string            `json:"urgency,omitempty"`
	TLP           string            `json:"tlp,omitempty"`
	Subject       string            `json:"subject,omitempty"`
	Body          string            `json:"body,omitempty"`
	Fields        map[string]string `json:"fields,omitempty"`
	Attachments   []wireAttachment  `json:"attachments,omitempty"`
	Prompt        string            `json:"prompt,omitempty"`
	Expected      []wireExpectation `json:"expected,omitempty"`
}

type wireAttachment struct {
	Name      string `json:"name"`
	MediaType string `json:"media_type,omitempty"`
	Content   []byte `json:"content"` // base64, as encoding/json writes []byte
}

type wireExpectation struct {
	Key    string   `json:"key"`
	Action string   `json:"action"`
	Within string   `json:"within"`
	Fields []string `json:"fields,omitempty"`
	Level  string   `json:"level,omitempty"`
	ToRole string   `json:"to_role,omitempty"`
	Note   string   `json:"note,omitempty"`
}

// Encode writes in as a scenario file, indented for people to read and
// diff.
func Encode(in Input) []byte {
	w := wireScenario{Format: FormatName, Version: FormatVersion, Language: in.Language, Title: in.Title, Summary: in.Summary,
		Narrative: in.Narrative, Duration: FormatDuration(in.Duration), Objectives: []wireObjective{}, Roles: []wireRole{}, Injects: []wireInject{}}
	for _, o := range in.Objectives {
		w.Objectives = append(w.Objectives, wireObjective{Text: o.Text, Provisions: orEmpty(o.Provisions)})
	}
	for _, r := range in.Roles {
		w.Roles = append(w.Roles, wireRole(r))
	}
	for _, i := range in.Injects {
		wi := wireInject{Key: i.Key, Offset: FormatDuration(i.Offset), Kind: string(i.Kind), Title: i.Title, FromRole: i.FromRole,
			FromSimulated: i.FromSimulated, ToRoles: orEmpty(i.ToRoles), ToLevel: string(i.ToLevel), Type: string(i.Type),
			Urgency: string(i.Urgency), TLP: string(i.TLP), Subject: i.Subject, Body: i.Body, Fields: i.Fields, Prompt: i.Prompt}
		if len(wi.Fields) == 0 {
			wi.Fields = nil
		}
		for _, a := range i.Attachments {
			wi.Attachments = append(wi.Attachments, wireAttachment(a))
		}
		for _, e := range i.Expected {
			wi.Expected = append(wi.Expected, wireExpectation{Key: e.Key, Action: string(e.Action), Within: FormatDuration(e.Within),
				Fields: e.Fields, Level: string(e.Level), ToRole: e.ToRole, Note: e.Note})
		}
		w.Injects = append(w.Injects, wi)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(w); err != nil {
		panic(err) // strings, slices and maps of strings always encode
	}
	return b.Bytes()
}

// Messages of a file that cannot be read, in the catalogue (po/scenario).
const (
	msgFileEmpty   = "choose a scenario file (JSON)"
	msgFileLarge   = "the file is larger than %d MiB"
	msgFileJSON    = "the file is not valid JSON (near byte %d)"
	msgFileFormat  = "the file is not a detente scenario: its \"format\" must be %q"
	msgFileVersion = "this version of the scenario format is not supported: use version %d"
	msgFileUnknown = "the file has a field the format does not define: %s"
	msgFileType    = "the file holds the wrong kind of value at %s"
	msgFileTrail   = "the file holds more than one JSON value"
	msgDuration    = "write a duration such as PT30M or P1DT2H"
)

// Decode reads a scenario file into an Input. A file it cannot read is an
// Invalid error on the field "file"; a duration it cannot read, on the
// field that holds it. The Input is not yet validated: the service does
// that when it saves.
func Decode(r io.Reader) (Input, error) {
	var f errs.Fields
	data, err := io.ReadAll(io.LimitReader(r, MaxFile+1))
	if err != nil {
		return Input{}, errs.Internalf(err, "read scenario file")
	}
	switch {
	case len(bytes.TrimSpace(data)) == 0:
		f.Add("file", msgFileEmpty)
		return Input{}, f.Err()
	case len(data) > MaxFile:
		f.Add("file", fmt.Sprintf(msgFileLarge, MaxFile>>20))
		return Input{}, f.Err()
	}
	// The header first, so that another format or version is named as
	// such rather than as a field the reader does not know.
	var head struct {
		Format  any `json:"format"`
		Version any `json:"version"`
	}
	if err := json.NewDecoder(bytes.NewReader(data)).Decode(&head); err != nil {
		f.Add("file", jsonProblem(err, data))
		return Input{}, f.Err()
	}
	if s, ok := head.Format.(string); !ok || s != FormatName {
		f.Add("file", fmt.Sprintf(msgFileFormat, FormatName))
		return Input{}, f.Err()
	}
	if n, ok := head.Version.(float64); !ok || n != FormatVersion {
		f.Add("file", fmt.Sprintf(msgFileVersion, FormatVersion))
		return Input{}, f.Err()
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var w wireScenario
	if err := dec.Decode(&w); err != nil {
		f.Add("file", jsonProblem(err, data))
		return Input{}, f.Err()
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		f.Add("file", msgFileTrail)
		return Input{}, f.Err()
	}
	in := Input{Language: w.Language, Title: w.Title, Summary: w.Summary, Narrative: w.Narrative}
	in.Duration = duration(&f, "duration", w.Duration)
	for _, o := range w.Objectives {
		in.Objectives = append(in.Objectives, Objective(o))
	}
	for _, r := range w.Roles {
		in.Roles = append(in.Roles, Role(r))
	}
	for k, wi := range w.Injects {
		field := fmt.Sprintf("injects[%d]", k)
		i := Inject{Key: wi.Key, Offset: duration(&f, field+".offset", wi.Offset), Kind: InjectKind(wi.Kind), Title: wi.Title,
			FromRole: wi.FromRole, FromSimulated: wi.FromSimulated, ToRoles: wi.ToRoles, ToLevel: Level(wi.ToLevel),
			Type: messaging.Type(wi.Type), Urgency: messaging.Urgency(wi.Urgency), TLP: tlp.Label(wi.TLP), Subject: wi.Subject,
			Body: wi.Body, Fields: wi.Fields, Prompt: wi.Prompt}
		for _, a := range wi.Attachments {
			i.Attachments = append(i.Attachments, Attachment(a))
		}
		for n, we := range wi.Expected {
			i.Expected = append(i.Expected, Expectation{Key: we.Key, Action: Action(we.Action),
				Within: duration(&f, fmt.Sprintf("%s.expected[%d].within", field, n), we.Within),
				Fields: we.Fields, Level: Level(we.Level), ToRole: we.ToRole, Note: we.Note})
		}
		in.Injects = append(in.Injects, i)
	}
	return in, f.Err()
}

// jsonProblem says where data stops being a scenario file.
func jsonProblem(err error, data []byte) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf(msgFileJSON, syn.Offset)
	case errors.As(err, &typ):
		at := typ.Field
		if at == "" {
			at = "the top"
		}
		return fmt.Sprintf(msgFileType, at)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return fmt.Sprintf(msgFileUnknown, strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	// Cut short (io.ErrUnexpectedEOF) or anything else the decoder says.
	return fmt.Sprintf(msgFileJSON, len(data))
}

// duration reads an ISO 8601 duration into f's field.
func duration(f *errs.Fields, field, v string) time.Duration {
	d, ok := ParseDuration(v)
	if !ok {
		f.Add(field, msgDuration)
	}
	return d
}

// maxDurationPart bounds each number of a duration, far above any
// scenario and far below an overflow.
const maxDurationPart = 1_000_000

// ParseDuration reads an ISO 8601 duration of whole days, hours, minutes
// and seconds: "P1D", "PT2H30M", "PT0S". Years, months and weeks, whose
// length depends on the calendar, fractions and signs are refused.
func ParseDuration(s string) (time.Duration, bool) {
	rest, ok := strings.CutPrefix(s, "P")
	if !ok || rest == "" {
		return 0, false
	}
	var total time.Duration
	date, clock, hasT := strings.Cut(rest, "T")
	if hasT && clock == "" {
		return 0, false
	}
	parts := []struct {
		s     string
		units []struct {
			c byte
			d time.Duration
		}
	}{
		{date, []struct {
			c byte
			d time.Duration
		}{{'D', 24 * time.Hour}}},
		{clock, []struct {
			c byte
			d time.Duration
		}{{'H', time.Hour}, {'M', time.Minute}, {'S', time.Second}}},
	}
	for _, p := range parts {
		s, next := p.s, 0
		for s != "" {
			n := 0
			for n < len(s) && s[n] >= '0' && s[n] <= '9' {
				n++
			}
			if n == 0 || n == len(s) || n > 7 {
				return 0, false
			}
			v, err := strconv.Atoi(s[:n])
			if err != nil || v > maxDurationPart {
				return 0, false
			}
			unit := -1
			for k := next; k < len(p.units); k++ {
				if p.units[k].c == s[n] {
					unit = k
					break
				}
			}
			if unit < 0 {
				return 0, false
			}
			total += time.Duration(v) * p.units[unit].d
			next, s = unit+1, s[n+1:]
		}
	}
	return total, true
}

// FormatDuration writes d as ParseDuration reads it: "PT1H30M", "P2DT4H",
// "PT0S"; parts below a second are dropped.
func FormatDuration(d time.Duration) string {
	if d < time.Second {
		return "PT0S"
	}
	d = d.Truncate(time.Second)
	var b strings.Builder
	b.WriteString("P")
	if days := d / (24 * time.Hour); days > 0 {
		fmt.Fprintf(&b, "%dD", days)
		d -= days * 24 * time.Hour
	}
	if d > 0 {
		b.WriteString("T")
		for _, u := range []struct {
			d time.Duration
			c string
		}{{time.Hour, "H"}, {time.Minute, "M"}, {time.Second, "S"}} {
			if n := d / u.d; n > 0 {
				fmt.Fprintf(&b, "%d%s", n, u.c)
				d -= n * u.d
			}
		}
	}
	return b.String()
}

func orEmpty[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}
