package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/detente/detente/internal/i18n"
)

// The private calendar feed: an address holding a secret, which calendar
// programs fetch without signing in, listing the meetings its account
// sees. The account page makes and revokes it; the address is shown once,
// as a token is, for only its hash is kept.

// calendarFeed serves /calendar/{token}.ics.
func (s *Server) calendarFeed(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Referrer-Policy", "no-referrer") // the token is in the URL
	token, ok := strings.CutSuffix(r.PathValue("file"), ".ics")
	if !ok {
		s.renderError(w, r, errNotFound)
		return
	}
	body, err := s.app.Meetings.Feed(r.Context(), token)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/calendar; charset=utf-8")
	h.Set("Cache-Control", "private, no-store")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = w.Write(body) // the client has gone
}

type meetingFeedData struct {
	Address string
}

// createFeed makes a new feed address, replacing any earlier one, and
// shows it this once.
func (s *Server) createFeed(w http.ResponseWriter, r *http.Request) {
	token, err := s.app.Meetings.FeedToken(r.Context(), who(r))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	addr := strings.TrimSuffix(s.app.Config.BaseURL, "/") + "/calendar/" + token + ".ics"
	w.Header().Set("Referrer-Policy", "no-referrer")
	s.render(w, r, http.StatusOK, "meetingfeed", page{Title: s.printer(r).T("Your calendar feed"), Nav: "account", Data: meetingFeedData{Address: addr}})
}

// revokeFeed stops the feed address; the account page says so.
func (s *Server) revokeFeed(w http.ResponseWriter, r *http.Request) {
	if err := s.app.Meetings.RevokeFeed(r.Context(), who(r)); err != nil {
		s.renderError(w, r, err)
		return
	}
	d, err := s.accountData(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "account", page{Title: s.printer(r).T("Your account"), Nav: "account", Data: d,
		Flash: i18n.M("Your calendar feed address no longer works. Calendars that used it keep what they fetched but get nothing new.")})
}
