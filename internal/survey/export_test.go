package survey_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/detente/detente/internal/survey"
)

// TestExports: the CSV has one column per field and defuses formulas; the
// JSON gives the visibility only once published.
func TestExports(t *testing.T) {
	rep := survey.Report{ID: "r1", Cycle: survey.Cycle{Name: "2027"}, State: "FR", Status: survey.Draft, Visibility: survey.Private, Version: 3,
		Answers: []survey.Answer{{Subject: survey.Subject{Provision: "cbm-1", Item: "a"}, Taken: survey.Yes,
			Actors: []survey.Actor{survey.Government, survey.Academia}, Measures: "=HYPERLINK(\"x\")", Gaps: "Training, \"exercises\""}}}
	var b bytes.Buffer
	if err := survey.WriteCSV(&b, rep); err != nil {
		t.Fatal(err)
	}
	want := "state,cycle,subject,taken,policy,support,actors,measures,examples,challenges,gaps\n" +
		"FR,2027,cbm-1.a,yes,,,\"government,academia\",\"'=HYPERLINK(\"\"x\"\")\",,,\"Training, \"\"exercises\"\"\"\n"
	if b.String() != want {
		t.Errorf("CSV:\n%s\nwant:\n%s", b.String(), want)
	}
	b.Reset()
	if err := survey.WriteJSON(&b, rep); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if _, ok := got["visibility"]; ok {
		t.Errorf("a draft's visibility was exported: %s", b.String())
	}
	if !strings.Contains(b.String(), `"subject": "cbm-1.a"`) || !strings.Contains(b.String(), `"measures_taken": "yes"`) {
		t.Errorf("JSON: %s", b.String())
	}
	now := time.Date(2027, 5, 1, 0, 0, 0, 0, time.UTC)
	rep.Status, rep.Visibility, rep.PublishedAt = survey.Published, survey.Public, &now
	b.Reset()
	if err := survey.WriteJSON(&b, rep); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"visibility": "public"`) {
		t.Errorf("a published report's visibility is missing: %s", b.String())
	}
}
