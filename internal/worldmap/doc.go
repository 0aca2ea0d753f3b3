// Package worldmap draws a world choropleth as an inline SVG element, each
// State coloured by the server, for pages that show figures per State (such
// as communication-check response rates) next to a data table.
//
// The map is a summary: the SVG has role="img" and an accessible name that
// sends readers to the table beside it, which is the accessible source of the
// figures. Its legend follows it as an HTML list rather than SVG text, so
// that it keeps the page's type size however small the map is drawn. Each State still carries a <title> with its name and band, so
// hovering shows it. The output uses presentation attributes only (no style
// attributes, no script), so it renders under a Content-Security-Policy of
// style-src 'self'.
//
// All 195 States of package states are on the map: as a shape, and, when the
// shape is too small to see or hover at map scale (island States,
// microstates), also as a small circle marker. Territories and other areas
// that are not among those States are drawn in a neutral grey, unnamed and
// without data.
//
// # Geometry
//
// The country shapes are Natural Earth's 1:50m admin-0 countries (public
// domain, https://www.naturalearthdata.com/), as redistributed in TopoJSON by
// the world-atlas npm package (ISC licence), pinned in tools/worldmap. The
// command in ./gen decodes the topology, projects it with the Equal Earth
// projection, simplifies it to integer coordinates and writes shapes.txt,
// which is committed and embedded: building and testing need neither npm nor
// node_modules. To regenerate after changing the generator or the pinned
// package:
//
//	(cd tools/worldmap && npm ci)
//	go generate ./internal/worldmap
package worldmap

//go:generate go run ./gen -in ../../tools/worldmap/node_modules/world-atlas/countries-50m.json -out shapes.txt
