# Peer timing: R estimatr 1.0.0 on the shape of spire-stats' benchmark (after shared/oracle/bench_estimatr.R):
# N = 50,000, 100 strata, y ~ z + x. Medians of 5 runs (3 for the dummy-variable fit).
suppressMessages(library(estimatr)); set.seed(1)
n <- 50000; S <- 100
d <- data.frame(s = factor(sample(S, n, TRUE)), z = rbinom(n, 1, .5), x = rnorm(n))
d$y <- 0.2 * d$z + as.integer(d$s) / 100 + 0.5 * d$x + rnorm(n)
med <- function(reps, f) { t <- replicate(reps, system.time(r <<- f())["elapsed"]); median(t) }
t_fe <- med(5, function() lm_robust(y ~ z + x, fixed_effects = ~ s, data = d))
t_dummies <- med(3, function() lm_robust(y ~ z + x + s, data = d))
t_dim <- med(5, function() difference_in_means(y ~ z, blocks = s, data = d))
cat(sprintf("estimatr %s, R %s.%s\n", packageVersion("estimatr"), R.version$major, R.version$minor))
cat(sprintf("lm_robust HC2 fixed_effects = ~s (100 strata): median %.1f ms\n", 1e3 * t_fe))
cat(sprintf("lm_robust HC2 with 99 strata dummies: median %.1f ms\n", 1e3 * t_dummies))
cat(sprintf("difference_in_means blocks = s: median %.1f ms\n", 1e3 * t_dim))
