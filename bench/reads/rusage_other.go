//go:build !unix

package main

import "time"

// processCPU is unknown here: CPU per request prints as zero.
func processCPU() time.Duration { return 0 }

// peakRSS is unknown here.
func peakRSS() int64 { return 0 }
