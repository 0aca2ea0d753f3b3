package survey

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"strings"
	"time"
)

// The report's export files, as the report page offers them and the
// command line writes them: JSON with one object per answer, and CSV with
// one row per answer and one column per field, named as Fields.

type exportReport struct {
	ID          string         `json:"id"`
	Cycle       string         `json:"cycle"`
	State       string         `json:"state"`
	Status      string         `json:"status"`
	Visibility  string         `json:"visibility,omitempty"`
	Version     int            `json:"version"`
	SubmittedAt *time.Time     `json:"submitted_at,omitempty"`
	PublishedAt *time.Time     `json:"published_at,omitempty"`
	Answers     []exportAnswer `json:"answers"`
}

type exportAnswer struct {
	Subject    string   `json:"subject"`
	Provision  string   `json:"provision"`
	Item       string   `json:"item,omitempty"`
	Taken      string   `json:"measures_taken,omitempty"`
	Policy     string   `json:"in_policy,omitempty"`
	Support    string   `json:"support_welcome,omitempty"`
	Actors     []string `json:"actors,omitempty"`
	Measures   string   `json:"measures,omitempty"`
	Examples   string   `json:"examples,omitempty"`
	Challenges string   `json:"challenges,omitempty"`
	Gaps       string   `json:"capacity_gaps,omitempty"`
}

// WriteJSON writes rep with its answers as indented JSON. The visibility
// is given once the report is published.
func WriteJSON(w io.Writer, rep Report) error {
	out := exportReport{ID: rep.ID, Cycle: rep.Cycle.Name, State: rep.State, Status: string(rep.Status), Version: rep.Version,
		SubmittedAt: rep.SubmittedAt, PublishedAt: rep.PublishedAt, Answers: []exportAnswer{}}
	if rep.Status == Published {
		out.Visibility = string(rep.Visibility)
	}
	for _, x := range rep.Answers {
		ea := exportAnswer{Subject: x.Key(), Provision: x.Provision, Item: x.Item, Taken: string(x.Taken), Policy: string(x.Policy),
			Support: string(x.Support), Measures: x.Measures, Examples: x.Examples, Challenges: x.Challenges, Gaps: x.Gaps}
		for _, c := range x.Actors {
			ea.Actors = append(ea.Actors, string(c))
		}
		out.Answers = append(out.Answers, ea)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// WriteCSV writes rep's answers as CSV: state, cycle, subject, then the
// fields.
func WriteCSV(w io.Writer, rep Report) error {
	cw := csv.NewWriter(w)
	head := []string{"state", "cycle", "subject"}
	for _, f := range Fields() {
		head = append(head, string(f))
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	for _, x := range rep.Answers {
		row := []string{rep.State, rep.Cycle.Name, x.Key()}
		for _, f := range Fields() {
			row = append(row, x.Value(f))
		}
		for i := range row {
			row[i] = safe(row[i])
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// safe defuses a cell a spreadsheet would run as a formula.
func safe(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}
