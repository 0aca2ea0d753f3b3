package library

import (
	"bytes"
	"context"
	"fmt"
	"mime"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ledongthuc/pdf"
	"golang.org/x/net/html"
)

// Bounds of text extraction. The file is already bounded by the
// attachments' limits; these bound the work and what reaches the index.
const (
	extractTime  = 5 * time.Second // checked between PDF pages
	maxPages     = 2_000
	maxTextBytes = 2 << 20 // of extracted text, before words are kept
	// maxSearchBytes bounds search_text: PostgreSQL refuses a tsvector
	// over 1 MiB, and distinct words are what a search needs.
	maxSearchBytes = 256 << 10
)

// extract returns the text of a file whose content looks like mediaType
// (net/http.DetectContentType's answer): plain text, HTML or PDF. It runs
// in the caller's goroutine and starts none, so nothing outlives it: a
// PDF is read a page at a time, stopping at the deadline, the page limit
// or the text limit, and a malformed one (the reader panics on some) is
// reported unreadable.
func extract(ctx context.Context, mediaType string, content []byte) (string, TextStatus) {
	mt, _, _ := mime.ParseMediaType(mediaType)
	switch mt {
	case "text/plain":
		if !utf8.Valid(content) {
			return "", Unreadable
		}
		return string(content[:min(len(content), maxTextBytes)]), Extracted
	case "text/html":
		return htmlText(content), Extracted
	case "application/pdf":
		ctx, cancel := context.WithTimeout(ctx, extractTime)
		defer cancel()
		text, err := pdfText(ctx, content)
		if err != nil {
			return "", Unreadable
		}
		return text, Extracted
	}
	return "", NoText
}

// htmlText is the text of an HTML page, without its scripts and styles.
func htmlText(content []byte) string {
	z := html.NewTokenizer(bytes.NewReader(content))
	var b strings.Builder
	skip := 0
	for b.Len() < maxTextBytes {
		switch z.Next() {
		case html.ErrorToken:
			return b.String()
		case html.StartTagToken:
			if name, _ := z.TagName(); string(name) == "script" || string(name) == "style" {
				skip++
			}
		case html.EndTagToken:
			if name, _ := z.TagName(); (string(name) == "script" || string(name) == "style") && skip > 0 {
				skip--
			}
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text())
				b.WriteByte(' ')
			}
		}
	}
	return b.String()
}

// pdfText reads a PDF's text page by page.
func pdfText(ctx context.Context, content []byte) (text string, err error) {
	defer func() {
		if r := recover(); r != nil {
			text, err = "", fmt.Errorf("pdf: %v", r)
		}
	}()
	r, err := pdf.NewReader(bytes.NewReader(content), int64(len(content)))
	if err != nil {
		return "", err
	}
	var b strings.Builder
	n := min(r.NumPage(), maxPages)
	for i := 1; i <= n && b.Len() < maxTextBytes; i++ {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		p := r.Page(i)
		if p.V.IsNull() {
			continue
		}
		t, err := p.GetPlainText(nil) // each page's own fonts: names are per page

		if err != nil {
			return "", err
		}
		b.WriteString(t)
		b.WriteByte(' ')
	}
	return b.String(), nil
}
