// Package check stands for validate in package services.
package check

func Plain(s string) string {
	if s == "" {
		return ""
	}
	return "is not plain"
}
