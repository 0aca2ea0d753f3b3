package web

import (
	"encoding/xml"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"rsc.io/qr"
)

// TestQRSVGDrawsEveryModule redraws the SVG path onto a grid and compares it
// with the encoder's own bitmap, module by module.
func TestQRSVGDrawsEveryModule(t *testing.T) {
	for _, text := range []string{
		"otpauth://totp/detente:admin%40fr.invalid?secret=JBSWY3DPEHPK3PXP&issuer=detente",
		"x",
		strings.Repeat("long payload ", 40),
	} {
		t.Run(fmt.Sprintf("%d bytes", len(text)), func(t *testing.T) {
			svg, err := qrSVG(text, `label with "quotes" & <tags>`)
			if err != nil {
				t.Fatal(err)
			}
			if err := xml.Unmarshal([]byte(svg), new(struct{})); err != nil {
				t.Fatalf("not well-formed: %v", err)
			}
			code, _ := qr.Encode(text, qr.M)
			grid := map[[2]int]bool{}
			for _, m := range regexp.MustCompile(`M(\d+) (\d+)h(\d+)v1h-\d+z`).FindAllStringSubmatch(string(svg), -1) {
				x, _ := strconv.Atoi(m[1])
				y, _ := strconv.Atoi(m[2])
				run, _ := strconv.Atoi(m[3])
				for i := 0; i < run; i++ {
					grid[[2]int{x + i - 4, y - 4}] = true
				}
			}
			for y := 0; y < code.Size; y++ {
				for x := 0; x < code.Size; x++ {
					if grid[[2]int{x, y}] != code.Black(x, y) {
						t.Fatalf("module %d,%d differs", x, y)
					}
				}
			}
			if strings.Contains(string(svg), `"quotes"`) || strings.Contains(string(svg), "<tags>") {
				t.Error("label not escaped")
			}
		})
	}
}
