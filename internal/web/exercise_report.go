package web

import (
	"bytes"
	"mime"
	"net/http"
	"strconv"

	"github.com/detente/detente/internal/exercise"
)

// The after-action report of a run: its timeline, the measured times
// against the expected per State, level and inject, the figures across
// States when the service gives them, and the observations and lessons.
// It prints as it shows, and downloads as CSV or JSON through the
// service's writers, with only what the reader may see.

type exerciseReportData struct {
	exerciseWords
	Report exercise.Report
}

func (s *Server) exerciseReport(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("run")
	rep, err := s.app.Exercises.Report(r.Context(), who(r), id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	switch r.URL.Query().Get("format") {
	case "":
	case "csv":
		var buf bytes.Buffer
		if err := exercise.WriteCSV(&buf, rep, s.exerciseCSVHeader(r)); err != nil {
			s.renderError(w, r, err)
			return
		}
		exerciseDownload(w, "text/csv; charset=utf-8", "exercise-"+safeFileName(id)+".csv", buf.Bytes())
		return
	case "json":
		var buf bytes.Buffer
		if err := exercise.WriteJSON(&buf, rep); err != nil {
			s.renderError(w, r, err)
			return
		}
		exerciseDownload(w, "application/json", "exercise-"+safeFileName(id)+".json", buf.Bytes())
		return
	default:
		s.renderError(w, r, errNotFound)
		return
	}
	p := s.printer(r)
	s.render(w, r, http.StatusOK, "exercisereport", page{Title: p.T("After-action report: {title}", "title", rep.Run.Title), Nav: "exercises",
		Data: exerciseReportData{exerciseWords: s.exerciseWords(r), Report: rep}})
}

// exerciseCSVHeader names the CSV's columns in the reader's language, in
// the order of exercise.CSVColumns.
func (s *Server) exerciseCSVHeader(r *http.Request) []string {
	p := s.printer(r)
	return []string{
		p.TC("exercise inject", "Inject"),
		p.TC("exercise report column", "Title"),
		p.TC("exercise report column", "Offset (s)"),
		p.TC("exercise report column", "State"),
		p.TC("exercise report column", "Level"),
		p.TC("exercise report column", "Expectation"),
		p.T("Expected action"),
		p.TC("exercise report column", "Time allowed (s)"),
		p.TC("exercise report column", "Arrived (s)"),
		p.T("Result"),
		p.TC("exercise report column", "Measured (s)"),
	}
}

func exerciseDownload(w http.ResponseWriter, contentType, name string, b []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b) // the client has gone
}
