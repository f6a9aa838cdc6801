# The whole-process peer of `spire stats itt` on a CSV file (crates/stats/benches/peer_itt_csv.sh):
# R reads the file and fits estimatr::lm_robust(y ~ z + x1, fixed_effects = ~s) (HC2, the default),
# then prints the effect of z and its standard error.
# Usage: Rscript peer_itt_csv.R FILE
suppressMessages(library(estimatr))
d <- read.csv(commandArgs(trailingOnly = TRUE)[1])
fit <- lm_robust(y ~ z + x1, fixed_effects = ~s, data = d)
cat(sprintf("estimate %.12f std_error %.12f n %d\n", coef(fit)[["z"]], fit$std.error[["z"]], fit$nobs))
