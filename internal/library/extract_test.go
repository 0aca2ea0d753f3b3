package library

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"
)

func TestExtract(t *testing.T) {
	pdf, err := os.ReadFile("testdata/strategy.pdf")
	if err != nil {
		t.Fatal(err)
	}
	compressed, err := os.ReadFile("testdata/compressed.pdf")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for name, c := range map[string]struct {
		mediaType string
		content   string
		want      string
		status    TextStatus
	}{
		"pdf":                            {"application/pdf", string(pdf), "xylocarpous", Extracted},
		"compressed pdf, word on page 2": {"application/pdf", string(compressed), "ornithopteral registry", Extracted},
		"plain text":                     {"text/plain; charset=utf-8", "the quokkanese clause", "quokkanese", Extracted},
		"html":                           {"text/html; charset=utf-8", "<p>wombatic<script>hidden()</script><style>p{}</style></p>", "wombatic", Extracted},
		"not utf-8":                      {"text/plain; charset=utf-8", "caf\xe9", "", Unreadable},
		"broken pdf":                     {"application/pdf", "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF", "", Unreadable},
		"truncated pdf":                  {"application/pdf", string(pdf[:len(pdf)/2]), "", Unreadable},
		"image":                          {"image/png", "\x89PNG\r\n", "", NoText},
	} {
		got, status := extract(ctx, c.mediaType, []byte(c.content))
		if status != c.status || !strings.Contains(got, c.want) || strings.Contains(got, "hidden") {
			t.Errorf("%s: %q %q", name, got, status)
		}
	}
	// Past its deadline, a PDF is not read: the reader stops between
	// pages and starts nothing that would run on.
	done, cancel := context.WithDeadline(ctx, time.Now().Add(-time.Second))
	defer cancel()
	if _, status := extract(done, "application/pdf", pdf); status != Unreadable {
		t.Errorf("past the deadline: %q", status)
	}
}

func TestDistinctWordsAreBounded(t *testing.T) {
	var b strings.Builder
	for i := range 200_000 {
		b.WriteString("w")
		b.WriteString(strings.Repeat("x", i%7))
		b.WriteString(string(rune('a' + i%26)))
		b.WriteString(string(rune('a' + (i/26)%26)))
		b.WriteString(string(rune('a' + (i/676)%26)))
		b.WriteString(" ")
	}
	got := distinctWords(b.String() + " the the THE")
	if len(got) > maxSearchBytes || strings.Count(" "+got+" ", " the ") > 1 {
		t.Errorf("%d bytes", len(got))
	}
}
