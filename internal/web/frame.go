package web

import (
	"bytes"
	"html/template"
	"io"
	"strings"
	"sync"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/i18n"
	"github.com/detente/detente/internal/validate"
)

// The frame of a page — the layout around its content — takes the same
// shape for everyone with the same language, menu, role and badges; only a
// few values differ from one request to the next. Executing the layout
// through html/template cost more than half of a kept page's time, so each
// shape is executed once, with markers in place of those values, and cut
// at the markers; a request then writes the pieces with its own values,
// escaped as html/template escapes text and quoted attributes.
// TestFrameIsTheLayout compares both ways over awkward values.

// hole is a value that differs within one shape of the frame.
type hole int

const (
	holeTitle hole = iota
	holeCSRF
	holeHere
	holeEmail
	holeFlash
	holeBody // trusted HTML: the content, rendered already
	holes
)

// marker stands for h while a shape is rendered. It is made of
// punctuation that escaping leaves as it is and that has no direction of
// its own, so that a message isolating a placeholder of the other
// direction treats the marker as it treats the value.
func marker(h hole) string { return "⁂⁂" + strings.Repeat("⁑", int(h)+1) + "⁂⁂" }

// frameKey is everything the layout reads besides the holes. A field the
// layout starts reading must be added here or made a hole.
type frameKey struct {
	lang            i18n.Language
	nav             string
	role            actor.Role
	signedIn, demo  bool
	flash           bool
	unread, pending int
	refresh         int
}

// frame is one shape: len(parts) == len(holes)+1, the value of holes[i]
// going between parts[i] and parts[i+1].
type frame struct {
	parts [][]byte
	holes []hole
}

// frames keeps the shapes met so far. Their number is bounded by the
// languages, menus, roles and badge counts in use; past maxFrames the
// lot is dropped and rebuilt as needed, rather than kept in order.
type frames struct {
	mu sync.RWMutex
	m  map[frameKey]*frame
}

const maxFrames = 2048

func newFrames() *frames { return &frames{m: map[frameKey]*frame{}} }

func keyOf(p *page) frameKey {
	return frameKey{lang: p.Lang, nav: p.Nav, role: p.Actor.Role, signedIn: p.Actor.Authenticated(), demo: p.Demo,
		flash: p.Flash != nil, unread: p.Unread, pending: p.Pending, refresh: p.Refresh}
}

// get returns the shape for p, rendering it with t (a page's template set,
// whose layout is the same for every page of a language) the first time.
func (fs *frames) get(t *template.Template, p *page) (*frame, error) {
	k := keyOf(p)
	fs.mu.RLock()
	f, ok := fs.m[k]
	fs.mu.RUnlock()
	if ok {
		return f, nil
	}
	f, err := shape(t, *p)
	if err != nil {
		return nil, err
	}
	fs.mu.Lock()
	if len(fs.m) >= maxFrames {
		clear(fs.m)
	}
	fs.m[k] = f
	fs.mu.Unlock()
	return f, nil
}

// shape renders the layout for p's key with markers for the holes and cuts
// it at them.
func shape(t *template.Template, p page) (*frame, error) {
	p.Title, p.CSRF, p.Here = marker(holeTitle), marker(holeCSRF), marker(holeHere)
	p.Actor.Email = marker(holeEmail)
	if p.Flash != nil {
		p.Flash = marker(holeFlash)
	}
	p.Body = template.HTML(marker(holeBody))
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", p); err != nil {
		return nil, err
	}
	out := buf.String()
	f := &frame{}
	for {
		at, which := -1, hole(0)
		for h := range holes {
			if i := strings.Index(out, marker(h)); i >= 0 && (at < 0 || i < at) {
				at, which = i, h
			}
		}
		if at < 0 {
			f.parts = append(f.parts, []byte(out))
			return f, nil
		}
		f.parts = append(f.parts, []byte(out[:at]))
		f.holes = append(f.holes, which)
		out = out[at+len(marker(which)):]
	}
}

// filled is a frame with one request's values: fill escapes them once, so
// that size is known before writeTo sends the first byte.
type filled struct {
	f    *frame
	vals [holes]string
	body []byte
}

// fill puts p's values and the content body in f; pr is the printer of
// p's language.
func (f *frame) fill(pr *i18n.Printer, p *page, body []byte) *filled {
	v := &filled{f: f, body: body}
	v.vals[holeTitle] = escapeText(validate.Reveal(p.Title))
	v.vals[holeCSRF], v.vals[holeHere], v.vals[holeEmail] = escapeText(p.CSRF), escapeText(p.Here), escapeText(pr.Arg(p.Actor.Email))
	if s, ok := p.Flash.(string); ok {
		v.vals[holeFlash] = escapeText(s)
	}
	return v
}

func (v *filled) size() int {
	n := 0
	for _, part := range v.f.parts {
		n += len(part)
	}
	for _, h := range v.f.holes {
		if h == holeBody {
			n += len(v.body)
		} else {
			n += len(v.vals[h])
		}
	}
	return n
}

func (v *filled) writeTo(w io.Writer) error {
	for i, h := range v.f.holes {
		if _, err := w.Write(v.f.parts[i]); err != nil {
			return err
		}
		var err error
		if h == holeBody {
			_, err = w.Write(v.body)
		} else {
			_, err = io.WriteString(w, v.vals[h])
		}
		if err != nil {
			return err
		}
	}
	_, err := w.Write(v.f.parts[len(v.f.parts)-1])
	return err
}

// escapeText escapes s as html/template escapes a value in text and in a
// quoted attribute, byte for byte.
func escapeText(s string) string {
	if !strings.ContainsAny(s, "\x00\"&'+<>") {
		return s
	}
	var buf strings.Builder
	last := 0
	for i := 0; i < len(s); i++ {
		var rep string
		switch s[i] {
		case 0:
			rep = "\uFFFD"
		case '"':
			rep = "&#34;"
		case '&':
			rep = "&amp;"
		case '\'':
			rep = "&#39;"
		case '+':
			rep = "&#43;"
		case '<':
			rep = "&lt;"
		case '>':
			rep = "&gt;"
		default:
			continue
		}
		buf.WriteString(s[last:i])
		buf.WriteString(rep)
		last = i + 1
	}
	buf.WriteString(s[last:])
	return buf.String()
}
