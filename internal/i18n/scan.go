package i18n

import "strings"

// htmlScanner follows HTML markup across the text pieces of a template,
// so that it knows, at every character, whether it is in text a person
// reads, inside a tag, in an attribute value a person reads or hears (alt,
// title, aria-label…), or in something no one reads (a comment, a script,
// a style sheet, other attributes).
type htmlScanner struct {
	state   scanState
	tag     strings.Builder // the name of the tag being read
	attr    strings.Builder // the name of the attribute being read
	quote   byte            // the quote of the attribute value, or 0
	raw     string          // "script" or "style" while inside one
	literal int             // how many <code>, <kbd> or <samp> elements are open
	text    strings.Builder // the visible text collected so far
	textPos int             // where it starts in the template source
}

type scanState int

const (
	inText scanState = iota
	inTagName
	inTag     // between attributes
	inAttr    // an attribute's name
	afterAttr // after a name, maybe before "="
	beforeValue
	inValue
	inComment
	inRaw
)

// visibleAttr reports whether people read or hear an attribute's value.
func visibleAttr(name string) bool {
	switch strings.ToLower(name) {
	case "alt", "title", "placeholder", "aria-label", "aria-description", "aria-placeholder",
		"aria-roledescription", "aria-valuetext":
		return true
	}
	return false
}

// feed scans s, which starts at byte pos of the template source, and calls
// visible with each finished run of visible text.
func (h *htmlScanner) feed(s string, pos int, visible func(string, int)) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch h.state {
		case inText:
			switch {
			case c == '<' && strings.HasPrefix(s[i:], "<!--"):
				h.flush(visible)
				h.state = inComment
				i += 3
			case c == '<' && i+1 < len(s) && (isASCIILetter(s[i+1]) || s[i+1] == '/' || s[i+1] == '!'):
				h.flush(visible)
				h.state = inTagName
				h.tag.Reset()
			case h.literal > 0:
				// What a person types or reads back as it is (a path, a
				// header, a command) is no prose to translate.
			default:
				h.collect(c, pos+i)
			}
		case inComment:
			if c == '-' && strings.HasPrefix(s[i:], "-->") {
				h.state = inText
				i += 2
			}
		case inRaw:
			if c == '<' && strings.HasPrefix(strings.ToLower(s[i:]), "</"+h.raw) {
				h.state = inTagName
				h.tag.Reset()
			}
		case inTagName:
			switch {
			case c == '>':
				h.endTag()
			case isSpace(c):
				h.state = inTag
			default:
				h.tag.WriteByte(c)
			}
		case inTag:
			switch {
			case c == '>':
				h.endTag()
			case isSpace(c) || c == '/':
			default:
				h.state = inAttr
				h.attr.Reset()
				h.attr.WriteByte(c)
			}
		case inAttr:
			switch {
			case c == '=':
				h.state = beforeValue
			case c == '>':
				h.endTag()
			case isSpace(c):
				h.state = afterAttr
			default:
				h.attr.WriteByte(c)
			}
		case afterAttr:
			switch {
			case c == '=':
				h.state = beforeValue
			case c == '>':
				h.endTag()
			case isSpace(c):
			default:
				h.state = inAttr
				h.attr.Reset()
				h.attr.WriteByte(c)
			}
		case beforeValue:
			switch {
			case c == '"' || c == '\'':
				h.quote = c
				h.state = inValue
			case isSpace(c):
			case c == '>':
				h.endTag()
			default:
				h.quote = 0
				h.state = inValue
				h.value(c, pos+i)
			}
		case inValue:
			switch {
			case h.quote != 0 && c == h.quote, h.quote == 0 && isSpace(c):
				h.flush(visible)
				h.state = inTag
			case h.quote == 0 && c == '>':
				h.flush(visible)
				h.endTag()
			default:
				h.value(c, pos+i)
			}
		}
	}
}

// value collects a character of an attribute value if people perceive it.
func (h *htmlScanner) value(c byte, pos int) {
	if visibleAttr(h.attr.String()) {
		h.collect(c, pos)
	}
}

func (h *htmlScanner) collect(c byte, pos int) {
	if h.text.Len() == 0 {
		h.textPos = pos
	}
	h.text.WriteByte(c)
}

func (h *htmlScanner) endTag() {
	name := strings.ToLower(h.tag.String())
	h.state = inText
	switch name {
	case "script", "style":
		h.state, h.raw = inRaw, name
	case "code", "kbd", "samp":
		h.literal++
	case "/code", "/kbd", "/samp":
		h.literal = max(h.literal-1, 0)
	}
}

// flush hands the text collected so far to visible.
func (h *htmlScanner) flush(visible func(string, int)) {
	if h.text.Len() > 0 {
		visible(h.text.String(), h.textPos)
		h.text.Reset()
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
