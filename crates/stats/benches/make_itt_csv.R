# Writes the `large` dataset of crates/stats/tests/oracle/make_fixtures.R with N rows (default
# 50,000, which reproduces crates/stats/tests/oracle/data/large.csv byte for byte): 99 strata,
# treatment assigned within strata, take-up, y = .2 d + s/100 + .5 x1 + e, 6 decimals.
# Usage: Rscript make_itt_csv.R FILE [N]
args <- commandArgs(trailingOnly = TRUE)
n <- if (length(args) > 1) as.integer(args[2]) else 50000L
assign_within <- function(s, share) {
  z <- integer(length(s))
  for (b in unique(s)) { i <- which(s == b); k <- max(1, min(length(i) - 1, round(length(i) * share[b]))); z[i[sample.int(length(i), k)]] <- 1L }
  z
}
set.seed(50000)
s <- sample(99, n, TRUE); z <- assign_within(s, rep(.5, 99)); x1 <- rnorm(n)
d <- ifelse(z == 1, rbinom(n, 1, .7), rbinom(n, 1, .05))
out <- data.frame(y = .2 * d + s / 100 + .5 * x1 + rnorm(n), z, d, x1, s)
for (v in names(out)) if (is.double(out[[v]])) out[[v]] <- ifelse(is.na(out[[v]]), NA, sprintf("%.6f", out[[v]]))
write.csv(out, args[1], row.names = FALSE, na = "", quote = FALSE)
