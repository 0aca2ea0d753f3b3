package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/catalog"
	"github.com/detente/detente/internal/checks"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/messaging"
	paging "github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/tlp"
)

type inboxData struct {
	Box      messaging.Box
	Query    string
	Unread   bool
	Messages []messaging.Message
	Read     map[string]bool
	Pending  []checks.Confirmation // communication checks the person can confirm here
	Pager    pager
}

func (s *Server) inbox(w http.ResponseWriter, r *http.Request) {
	a := who(r)
	q := r.URL.Query()
	f := messaging.ListFilter{Box: messaging.Inbox, Query: q.Get("q"), Unread: q.Get("unread") == "yes"}
	if q.Get("box") == string(messaging.Sent) {
		f.Box = messaging.Sent
	}
	d := inboxData{Box: f.Box, Query: f.Query, Unread: f.Unread, Read: map[string]bool{}}
	pg := page{Title: "Communications", Nav: "messages", Data: d}
	req, err := paging.Parse(q)
	if err != nil {
		s.listProblem(w, r, "inbox", pg, err)
		return
	}
	res, err := s.app.Messaging.Page(r.Context(), a, f, req)
	if err != nil {
		s.listProblem(w, r, "inbox", pg, err)
		return
	}
	msgs := res.Items
	d.Messages, d.Pager = msgs, pagerFor(r, res.Next)
	if f.Box == messaging.Inbox {
		// Which of the messages shown the person has read: one query over
		// this page, not a second list of the inbox.
		ids := make([]string, len(msgs))
		for i, m := range msgs {
			ids[i] = m.ID
		}
		if d.Read, err = s.app.Messaging.ReadFlags(r.Context(), a, ids); err != nil {
			s.renderError(w, r, err)
			return
		}
	} else {
		for _, m := range msgs {
			d.Read[m.ID] = true // what one's own State sent is not news
		}
	}
	if d.Pending, err = s.app.Checks.Pending(r.Context(), a); err != nil {
		s.renderError(w, r, err)
		return
	}
	pg.Data = d
	s.render(w, r, http.StatusOK, "inbox", pg)
}

type composeData struct {
	Types      []messaging.Type
	Template   messaging.Template
	States     []directory.State
	Urgencies  []messaging.Urgency
	Levels     []messaging.Level
	Labels     []tlp.Label
	Provisions []catalog.Provision
	Named      []directory.POC // POCs with an account, who can receive TLP:RED
	Selected   map[string]bool // recipients, provisions and named people ticked
	Limits     messaging.AttachmentLimits
}

var typeTitles = map[messaging.Type]string{
	messaging.IncidentNotification: "Incident notification",
	messaging.AssistanceRequest:    "Request for assistance",
	messaging.MitigationRequest:    "Request to mitigate activity from your territory",
	messaging.InformationRequest:   "Request for information",
	messaging.VulnerabilityReport:  "Vulnerability report",
}

var replyTitles = map[messaging.Type]string{
	messaging.Acknowledgement: "Acknowledgement",
	messaging.Update:          "Update or response",
	messaging.Closure:         "Closure",
}

func (s *Server) composeData(r *http.Request, typ messaging.Type, form url.Values) (composeData, error) {
	a := who(r)
	tmpl, err := s.app.Messaging.Template(r.Context(), typ)
	if err != nil {
		return composeData{}, err
	}
	sts, err := s.app.Directory.States(r.Context(), a)
	if err != nil {
		return composeData{}, err
	}
	d := composeData{Template: tmpl, Urgencies: messaging.Urgencies(), Levels: []messaging.Level{messaging.Technical, messaging.Policy, messaging.Diplomatic, messaging.All},
		Labels: tlp.Labels(), Selected: map[string]bool{}, Limits: s.app.Messaging.AttachmentLimits()}
	for _, t := range messaging.Types() {
		if t.Opening() {
			d.Types = append(d.Types, t)
		}
	}
	for _, st := range sts {
		if st.Participating() && st.Code != a.State {
			d.States = append(d.States, st)
		}
	}
	d.Provisions = s.app.Catalog.Provisions(catalog.Filter{Kind: catalog.KindNorm})
	d.Provisions = append(d.Provisions, s.app.Catalog.Provisions(catalog.Filter{Kind: catalog.KindCBM, Document: oewgCBMDocument(s.app.Catalog)})...)
	for _, v := range form["recipients"] {
		d.Selected["state:"+v] = true
	}
	for _, v := range form["named"] {
		d.Selected["named:"+v] = true
	}
	// TLP:RED reaches named people only: the POCs other States linked to
	// an account are the people who can be named.
	pocs, err := s.app.Directory.POCs(r.Context(), a, directory.Filter{})
	if err != nil {
		return composeData{}, err
	}
	for _, p := range pocs {
		if p.AccountID != "" && p.State != a.State {
			d.Named = append(d.Named, p)
		}
	}
	provs := form["provisions"]
	if form == nil || (len(provs) == 0 && form.Get("subject") == "") {
		provs = tmpl.Provisions
	}
	for _, p := range provs {
		d.Selected["prov:"+p] = true
	}
	return d, nil
}

func (s *Server) composeForm(w http.ResponseWriter, r *http.Request) {
	if err := s.app.Messaging.CanSend(r.Context(), who(r)); err != nil {
		s.renderError(w, r, err)
		return
	}
	typ := messaging.Type(r.URL.Query().Get("type"))
	if !typ.Opening() {
		typ = messaging.IncidentNotification
	}
	d, err := s.composeData(r, typ, nil)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	form := url.Values{"type": {string(typ)}, "urgency": {string(messaging.Priority)}, "tlp": {tlp.Amber.String()}, "level": {string(messaging.Technical)}, "ack": {"yes"}}
	for _, st := range r.URL.Query()["to"] {
		form.Add("recipients", st)
		d.Selected["state:"+st] = true
	}
	s.render(w, r, http.StatusOK, "compose", page{Title: "New communication", Nav: "messages", Form: form, Data: d})
}

func draftFromForm(f url.Values, tmpl messaging.Template) messaging.Draft {
	d := messaging.Draft{
		Type: messaging.Type(f.Get("type")), ReplyTo: f.Get("reply_to"), Recipients: f["recipients"], Level: messaging.Level(f.Get("level")),
		Urgency: messaging.Urgency(f.Get("urgency")), TLP: tlp.Label(f.Get("tlp")), PAP: f.Get("pap"), Subject: f.Get("subject"), Body: f.Get("body"),
		RequestedAction: f.Get("requested_action"), AckRequested: f.Get("ack") == "yes", Exercise: f.Get("exercise") == "yes", Provisions: f["provisions"], Fields: map[string]string{},
		Named: f["named"],
	}
	// The form's radio buttons send a label as TLP 2.0 writes it
	// ("TLP:AMBER"); scripts may send "amber".
	if l, err := tlp.Parse(f.Get("tlp")); err == nil {
		d.TLP = l
	}
	for _, fd := range tmpl.Fields {
		if v := f.Get("f_" + fd.Name); v != "" {
			d.Fields[fd.Name] = v
		}
	}
	return d
}

func (s *Server) send(w http.ResponseWriter, r *http.Request) {
	a := who(r)
	typ := messaging.Type(r.PostForm.Get("type"))
	if !typ.Opening() {
		d, err := s.composeData(r, messaging.IncidentNotification, r.PostForm)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		s.renderForm(w, r, "compose", page{Title: "New communication", Nav: "messages", Data: d},
			&errs.Error{Code: errs.Invalid, Message: "please choose the kind of communication", Fields: map[string]string{"type": "choose the kind of communication"}})
		return
	}
	// Changing the kind shows its fields and keeps everything typed; it
	// sends nothing.
	if r.PostForm.Get("change") != "" || (r.PostForm.Get("shown") != "" && r.PostForm.Get("shown") != string(typ)) {
		d, err := s.composeData(r, typ, r.PostForm)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		s.render(w, r, http.StatusOK, "compose", page{Title: "New communication", Nav: "messages", Data: d, Form: r.PostForm,
			Flash: "The form now shows the fields of a " + strings.ToLower(d.Template.Title) + ". Nothing was sent."})
		return
	}
	tmpl, err := s.app.Messaging.Template(r.Context(), typ)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d := draftFromForm(r.PostForm, tmpl)
	var done func()
	if d.Attachments, done, err = uploads(r); err != nil {
		s.renderError(w, r, err)
		return
	}
	m, err := s.app.Messaging.Send(r.Context(), a, d)
	done()
	if err != nil {
		d, derr := s.composeData(r, typ, r.PostForm)
		if derr != nil {
			s.renderError(w, r, derr)
			return
		}
		s.renderForm(w, r, "compose", page{Title: "New communication", Nav: "messages", Data: d}, err)
		return
	}
	redirect(w, r, "/threads/"+m.ThreadID+"?done=sent#m-"+m.ID)
}

type threadData struct {
	Messages []messaging.Message
	Timeline []timelineEntry
	Last     messaging.Message
	CanReply bool            // the caller may answer (messaging.Service.CanReply)
	CanAck   map[string]bool // messages the caller may acknowledge
	Replies  []messaging.Type
	Template map[messaging.Type]messaging.Template
	Statuses []string // choices of an update's status field
	Limits   messaging.AttachmentLimits
	Fields   map[string][]fact // each message's structured fields, in the template's order
}

// fact is one structured field of a message, as the page shows it.
type fact struct{ Label, Value string }

// facts orders m's structured fields as its template does, with their
// labels; dates are written the one way pages write them. Fields a later
// version dropped follow, under their names.
func facts(tmpls map[messaging.Type]messaging.Template, m messaging.Message) []fact {
	var out []fact
	done := map[string]bool{}
	for _, f := range tmpls[m.Type].Fields {
		v, ok := m.Fields[f.Name]
		if !ok {
			continue
		}
		done[f.Name] = true
		if f.Kind == messaging.DateTime {
			if t, ok := messaging.ParseDateTime(v); ok {
				v = when(t)
			}
		}
		out = append(out, fact{Label: f.Label, Value: v})
	}
	for _, k := range sortedKeys(m.Fields) {
		if !done[k] {
			out = append(out, fact{Label: strings.ReplaceAll(k, "_", " "), Value: m.Fields[k]})
		}
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// timelineEntry is one line of a thread's timeline, in words.
type timelineEntry struct {
	At    time.Time
	What  string
	State string // the State concerned, if any
	Actor string
	Note  string
}

// eventWords say what each kind of timeline event means.
var eventWords = map[string]string{
	"delivered":    "Delivered",
	"reminded":     "Reminder sent",
	"escalated":    "Escalated",
	"acknowledged": "Receipt acknowledged",
	"expired":      "No response by the deadline",
}

var replyTypes = []messaging.Type{messaging.Update, messaging.Acknowledgement, messaging.Closure}

func (d *threadData) fillStatuses() {
	for _, f := range d.Template[messaging.Update].Fields {
		if f.Name == "status" {
			d.Statuses = f.Choices
		}
	}
}

// threadData loads what the thread page shows the caller; the services
// decide what it may read and which forms it is offered.
func (s *Server) threadData(r *http.Request, id string) (threadData, error) {
	a := who(r)
	ctx := r.Context()
	msgs, events, err := s.app.Messaging.Thread(ctx, a, id)
	if err != nil {
		return threadData{}, err
	}
	d := threadData{Messages: msgs, Last: msgs[len(msgs)-1], CanAck: map[string]bool{},
		Template: map[messaging.Type]messaging.Template{}, Limits: s.app.Messaging.AttachmentLimits()}
	d.CanReply = s.app.Messaging.CanReply(ctx, a, d.Last) == nil
	for _, t := range replyTypes {
		// An acknowledgement is offered only while there is one to give.
		if t != messaging.Acknowledgement || s.app.Messaging.CanAcknowledge(ctx, a, d.Last) == nil {
			d.Replies = append(d.Replies, t)
		}
	}
	byID := map[string]messaging.Message{}
	for _, m := range msgs {
		byID[m.ID] = m
		d.CanAck[m.ID] = s.app.Messaging.CanAcknowledge(ctx, a, m) == nil
	}
	if err := s.loadTemplates(r, d.Template); err != nil {
		return threadData{}, err
	}
	d.fillStatuses()
	d.Fields = map[string][]fact{}
	for _, m := range msgs {
		d.Fields[m.ID] = facts(d.Template, m)
	}
	for _, e := range events {
		te := timelineEntry{At: e.At, Actor: e.Actor, Note: e.Detail}
		if e.Actor == actor.Scheduler.Label() {
			te.Actor = "" // deadlines act by themselves
		}
		if e.State != "" {
			te.State = stateLabel(e.State)
		}
		if e.Kind == messaging.EventSent {
			m := byID[e.MessageID]
			names := make([]string, len(m.Recipients))
			for i, st := range m.Recipients {
				names[i] = stateLabel(st)
			}
			te.What = typeTitleOf(d.Template, m.Type) + " sent to " + strings.Join(names, ", ")
			te.State, te.Note = "", ""
		} else if w, ok := eventWords[e.Kind]; ok {
			te.What = w
		} else {
			te.What = e.Kind
		}
		d.Timeline = append(d.Timeline, te)
	}
	return d, nil
}

// typeTitleOf is the title the current template gives a type.
func typeTitleOf(tmpls map[messaging.Type]messaging.Template, t messaging.Type) string {
	if tm, ok := tmpls[t]; ok && tm.Title != "" {
		return tm.Title
	}
	if v, ok := typeTitles[t]; ok {
		return v
	}
	return replyTitles[t]
}

func (s *Server) thread(w http.ResponseWriter, r *http.Request) {
	a := who(r)
	d, err := s.threadData(r, r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	for _, m := range d.Messages {
		// Opening a thread reads it.
		if err := s.app.Messaging.MarkRead(r.Context(), a, m.ID); err != nil {
			s.renderError(w, r, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, "thread", page{Title: d.Messages[0].Subject, Nav: "messages", Data: d, Flash: flashes[r.URL.Query().Get("done")]})
}

func (s *Server) acknowledge(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	m, err := s.app.Messaging.Message(r.Context(), who(r), id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if err := s.app.Messaging.Acknowledge(r.Context(), who(r), id); err != nil {
		s.renderError(w, r, err)
		return
	}
	redirect(w, r, "/threads/"+m.ThreadID+"?done=acknowledged#m-"+id)
}

func (s *Server) reply(w http.ResponseWriter, r *http.Request) {
	a := who(r)
	id := r.PathValue("id")
	parent, err := s.app.Messaging.Message(r.Context(), a, id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	typ := messaging.Type(r.PostForm.Get("type"))
	if slices.Contains(replyTypes, typ) {
		var m messaging.Message
		if m, err = s.sendReply(r, a, typ, id); err == nil {
			redirect(w, r, "/threads/"+m.ThreadID+"?done=sent#m-"+m.ID)
			return
		}
	} else {
		err = &errs.Error{Code: errs.Invalid, Message: "please choose what kind of answer this is",
			Fields: map[string]string{"type": "choose update, acknowledgement or closure"}}
	}
	// Show the thread again with the problems beside the answer form and
	// everything typed still in it.
	if !errs.Is(err, errs.Invalid) {
		s.renderError(w, r, err)
		return
	}
	d, terr := s.threadData(r, parent.ThreadID)
	if terr != nil {
		s.renderError(w, r, terr)
		return
	}
	s.renderForm(w, r, "thread", page{Title: d.Messages[0].Subject, Nav: "messages", Data: d}, err)
}

func (s *Server) sendReply(r *http.Request, a actor.Actor, typ messaging.Type, parentID string) (messaging.Message, error) {
	tmpl, err := s.app.Messaging.Template(r.Context(), typ)
	if err != nil {
		return messaging.Message{}, err
	}
	d := draftFromForm(r.PostForm, tmpl)
	d.ReplyTo, d.Recipients, d.Level, d.Urgency = parentID, nil, "", ""
	if strings.TrimSpace(r.PostForm.Get("tlp")) == "" {
		d.TLP = ""
	}
	var done func()
	if d.Attachments, done, err = uploads(r); err != nil {
		return messaging.Message{}, err
	}
	defer done()
	return s.app.Messaging.Send(r.Context(), a, d)
}

// loadTemplates fills m with the current template of every type, for the
// labels of structured fields.
func (s *Server) loadTemplates(r *http.Request, m map[messaging.Type]messaging.Template) error {
	for _, t := range messaging.Types() {
		tmpl, err := s.app.Messaging.Template(r.Context(), t)
		if err != nil {
			return err
		}
		m[t] = tmpl
	}
	return nil
}
