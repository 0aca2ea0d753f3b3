package exercise

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"time"
)

// CSVColumns are the columns of a report's CSV, one row per expectation
// of each delivered inject and State, in the report's order. Times are in
// seconds of scenario time. Pages pass the headings in the reader's
// language to WriteCSV; these are its default.
var CSVColumns = []string{"inject", "title", "offset_s", "state", "level", "expectation", "action", "within_s",
	"arrived_s", "outcome", "measured_s"}

// WriteCSV writes rep's results as CSV under header (CSVColumns when it
// has another length). Cells a spreadsheet would run as a formula are
// defused.
func WriteCSV(w io.Writer, rep Report, header []string) error {
	if len(header) != len(CSVColumns) {
		header = CSVColumns
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, res := range rep.Results {
		measured := ""
		if res.Measured != nil {
			measured = seconds(*res.Measured)
		}
		within := ""
		if res.Within > 0 {
			within = seconds(res.Within)
		}
		if err := cw.Write([]string{safe(res.Inject), safe(res.Title), seconds(res.Offset), res.State, string(res.Level),
			safe(res.Expectation), string(res.Action), within, seconds(res.DeliveredAt), string(res.Outcome), measured}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func seconds(d time.Duration) string { return strconv.FormatInt(int64(d/time.Second), 10) }

// safe defuses a cell a spreadsheet would run as a formula.
func safe(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

// The JSON of a report: its own shape with stable names, times in
// RFC 3339 and durations in seconds of scenario time.
type (
	jsonReport struct {
		Run      jsonRun       `json:"run"`
		Now      int64         `json:"scenario_time_s"`
		Timeline []jsonEvent   `json:"timeline"`
		Results  []jsonResult  `json:"results"`
		Overall  []jsonOverall `json:"across_states"` // null when the reader is not shown figures across States
		Notes    []jsonNote    `json:"notes"`
	}
	jsonRun struct {
		ID              string           `json:"id"`
		Title           string           `json:"title"`
		Marking         string           `json:"marking"`
		Scenario        string           `json:"scenario"`
		ScenarioVersion int              `json:"scenario_version"`
		ScenarioTitle   string           `json:"scenario_title"`
		Director        string           `json:"director_state"`
		Assignments     []jsonAssignment `json:"roles"`
		Levels          []string         `json:"levels"`
		Factor          int              `json:"factor"`
		Status          string           `json:"status"`
		StartedAt       *time.Time       `json:"started_at"`
		EndedAt         *time.Time       `json:"ended_at"`
	}
	jsonAssignment struct {
		Role  string `json:"role"`
		State string `json:"state"`
	}
	jsonEvent struct {
		At         time.Time `json:"at"`
		ScenarioAt int64     `json:"scenario_time_s"`
		Kind       string    `json:"kind"`
		Inject     string    `json:"inject,omitempty"`
		State      string    `json:"state,omitempty"`
		What       string    `json:"what,omitempty"`
		By         string    `json:"by,omitempty"`
		Text       string    `json:"text,omitempty"`
	}
	jsonResult struct {
		Inject      string `json:"inject"`
		Title       string `json:"title"`
		Offset      int64  `json:"offset_s"`
		State       string `json:"state"`
		Level       string `json:"level"`
		Expectation string `json:"expectation"`
		Action      string `json:"action"`
		Within      *int64 `json:"within_s"`
		Arrived     int64  `json:"arrived_s"`
		Outcome     string `json:"outcome"`
		Measured    *int64 `json:"measured_s"`
	}
	jsonOverall struct {
		Inject      string `json:"inject"`
		Expectation string `json:"expectation"`
		Action      string `json:"action"`
		Within      *int64 `json:"within_s"`
		States      int    `json:"states"`
		Met         int    `json:"met"`
		Late        int    `json:"late"`
		Missed      int    `json:"missed"`
		Pending     int    `json:"pending"`
		Median      *int64 `json:"median_s"`
	}
	jsonNote struct {
		At         time.Time `json:"at"`
		ScenarioAt int64     `json:"scenario_time_s"`
		State      string    `json:"state"`
		Kind       string    `json:"kind"`
		By         string    `json:"by"`
		Text       string    `json:"text"`
	}
)

func secs(d time.Duration) int64 { return int64(d / time.Second) }

func optSecs(d *time.Duration) *int64 {
	if d == nil {
		return nil
	}
	s := secs(*d)
	return &s
}

func limit(d time.Duration) *int64 {
	if d <= 0 {
		return nil
	}
	return optSecs(&d)
}

// WriteJSON writes rep as JSON. The run is marked EXERCISE, so that the
// file says what it is wherever it goes.
func WriteJSON(w io.Writer, rep Report) error {
	r := rep.Run
	out := jsonReport{Run: jsonRun{ID: r.ID, Title: r.Title, Marking: "EXERCISE", Scenario: r.Scenario.ID, ScenarioVersion: r.Scenario.Version,
		ScenarioTitle: r.Scenario.Title, Director: r.DirectorState, Levels: []string{}, Factor: r.Factor, Status: string(r.Status),
		StartedAt: r.StartedAt, EndedAt: r.EndedAt, Assignments: []jsonAssignment{}},
		Now: secs(rep.Now), Timeline: []jsonEvent{}, Results: []jsonResult{}, Notes: []jsonNote{}}
	if rep.Overall != nil {
		out.Overall = []jsonOverall{}
	}
	for _, a := range r.Assignments {
		out.Run.Assignments = append(out.Run.Assignments, jsonAssignment{Role: a.Role, State: a.State})
	}
	for _, l := range r.Levels {
		out.Run.Levels = append(out.Run.Levels, string(l))
	}
	for _, e := range rep.Timeline {
		out.Timeline = append(out.Timeline, jsonEvent{At: e.At, ScenarioAt: secs(e.ScenarioAt), Kind: string(e.Kind), Inject: e.Inject,
			State: e.State, What: e.What, By: e.By, Text: e.Text})
	}
	for _, res := range rep.Results {
		out.Results = append(out.Results, jsonResult{Inject: res.Inject, Title: res.Title, Offset: secs(res.Offset), State: res.State,
			Level: string(res.Level), Expectation: res.Expectation, Action: string(res.Action), Within: limit(res.Within),
			Arrived: secs(res.DeliveredAt), Outcome: string(res.Outcome), Measured: optSecs(res.Measured)})
	}
	for _, ag := range rep.Overall {
		out.Overall = append(out.Overall, jsonOverall{Inject: ag.Inject, Expectation: ag.Expectation, Action: string(ag.Action),
			Within: limit(ag.Within), States: ag.States, Met: ag.Met, Late: ag.Late, Missed: ag.Missed, Pending: ag.Pending, Median: optSecs(ag.Median)})
	}
	for _, n := range rep.Notes {
		out.Notes = append(out.Notes, jsonNote{At: n.At, ScenarioAt: secs(n.ScenarioAt), State: n.State, Kind: string(n.Kind), By: n.By, Text: n.Text})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
