# Golden fixtures for spire-stats, made by independent implementations (R estimatr, pwr, p.adjust).
# Run from this directory:  Rscript make_fixtures.R
# Writes data/*.csv (the datasets; deterministic from the seeds below) and expected_*.csv.
# data/small_trial.csv is the project's shared oracle fixture (made by shared/oracle/ols_hc2_small.py,
# numpy seed 20240101) with its columns renamed from y,z,x,strata to y,z,x1,s.
suppressMessages({library(estimatr); library(pwr)})
versions <- sprintf("R %s; estimatr %s; pwr %s", paste(R.version$major, R.version$minor, sep = "."),
                    packageVersion("estimatr"), packageVersion("pwr"))
cat("tool versions:", versions, "\n")
writeLines(versions, "expected_versions.txt")
dir.create("data", showWarnings = FALSE)

# 6 decimals are plenty for data; R and Rust then read identical doubles from the CSV.
write_data <- function(d, name) {
  out <- d
  for (v in names(out)) if (is.double(out[[v]])) out[[v]] <- ifelse(is.na(out[[v]]), NA, sprintf("%.6f", out[[v]]))
  write.csv(out, file.path("data", paste0(name, ".csv")), row.names = FALSE, na = "", quote = FALSE)
  read.csv(file.path("data", paste0(name, ".csv")))
}

assign_within <- function(s, share) {
  z <- integer(length(s))
  for (b in unique(s)) { i <- which(s == b); k <- max(1, min(length(i) - 1, round(length(i) * share[b]))); z[i[sample.int(length(i), k)]] <- 1L }
  z
}

datasets <- list()
datasets$small_trial <- read.csv("data/small_trial.csv")

set.seed(40)  # N = 40, 4 balanced strata of 10
s <- rep(1:4, each = 10); z <- assign_within(s, rep(.5, 4)); x1 <- rnorm(40)
datasets$tiny40 <- write_data(data.frame(y = 1 + .5 * z + .3 * s + x1 + rnorm(40, sd = 1 + z), z, x1, s), "tiny40")

set.seed(600)  # unbalanced strata sizes and treated shares, two covariates, missing values
sizes <- c(10, 15, 20, 30, 40, 50, 60, 70, 80, 90, 60, 75); s <- rep(seq_along(sizes), sizes)
z <- assign_within(s, c(.3, .4, .5, .6, .7, .35, .45, .55, .65, .5, .4, .6))
x1 <- rnorm(length(s)); x2 <- rbinom(length(s), 1, .4)
y <- 2 + .4 * z + .1 * s + .6 * x1 - .5 * x2 + .3 * z * x1 + rnorm(length(s), sd = exp(.3 * x1))
y[sample(length(y), 25)] <- NA; x1[sample(length(y), 10)] <- NA
datasets$unbalanced <- write_data(data.frame(y, z, x1, x2, s), "unbalanced")

set.seed(120)  # 30 small strata of 4 units, 2 treated each
s <- rep(1:30, each = 4); z <- assign_within(s, rep(.5, 30)); x1 <- rnorm(120)
datasets$small_strata <- write_data(data.frame(y = z * .8 + rnorm(30)[s] + .5 * x1 + rnorm(120), z, x1, s), "small_strata")

set.seed(60)  # 30 matched pairs
s <- rep(1:30, each = 2); z <- assign_within(s, rep(.5, 30))
datasets$pairs <- write_data(data.frame(y = z * .5 + rnorm(30)[s] + rnorm(60), z, s), "pairs")

set.seed(2000)  # offer z, one-sided non-compliance d, 20 strata
s <- sample(20, 2000, TRUE); z <- assign_within(s, rep(.5, 20)); x1 <- rnorm(2000); x2 <- runif(2000)
d <- ifelse(z == 1, rbinom(2000, 1, plogis(.3 + x1)), 0L)
y <- 1 + .7 * d + .2 * s / 10 + .4 * x1 + .2 * x2 + rnorm(2000)
y[sample(2000, 40)] <- NA
datasets$takeup <- write_data(data.frame(y, z, d, x1, x2, s), "takeup")

set.seed(50000)  # N = 50,000, 99 strata (the benchmark's shape), take-up
n <- 50000; s <- sample(99, n, TRUE); z <- assign_within(s, rep(.5, 99)); x1 <- rnorm(n)
d <- ifelse(z == 1, rbinom(n, 1, .7), rbinom(n, 1, .05))
datasets$large <- write_data(data.frame(y = .2 * d + s / 100 + .5 * x1 + rnorm(n), z, d, x1, s), "large")

rows <- list()
record <- function(dataset, call, se, covariates, fit, terms) {
  for (term in terms) {
    i <- match(term, names(fit$coefficients))
    stopifnot(!is.na(i))
    rows[[length(rows) + 1]] <<- data.frame(
      dataset = dataset, call = call, se = se, covariates = covariates, term = term,
      estimate = fit$coefficients[i], std_error = fit$std.error[i], df = fit$df[i],
      p_value = fit$p.value[i], ci_lower = fit$conf.low[i], ci_upper = fit$conf.high[i],
      n = fit$nobs)
  }
}
ses <- c("HC0", "HC1", "HC2", "HC3")

for (name in names(datasets)) {
  d <- datasets[[name]]; d$s <- factor(d$s)
  covs <- intersect(c("x1", "x2"), names(d))
  cov_sets <- list("")
  if (length(covs) > 0) cov_sets <- c(cov_sets, list(paste(covs, collapse = "+")))
  for (cv in cov_sets) {
    rhs <- if (cv == "") "z" else paste("z", cv, sep = "+")
    terms <- c("z", if (cv == "") character() else strsplit(cv, "\\+")[[1]])
    f <- as.formula(paste("y ~", rhs))
    for (se in ses) {
      record(name, "lm_robust_fe", se, cv, lm_robust(f, fixed_effects = ~s, data = d, se_type = se), terms)
      record(name, "lm_robust", se, cv, lm_robust(f, data = d, se_type = se), terms)
    }
  }
  record(name, "dim", "", "", difference_in_means(y ~ z, data = d), "z")
  record(name, "dim_blocked", "", "", difference_in_means(y ~ z, blocks = s, data = d), "z")
  if (length(covs) > 0) {
    cv <- paste(covs, collapse = "+")
    lin <- lm_lin(y ~ z, covariates = as.formula(paste("~", cv)), data = d)
    record(name, "lm_lin", "HC2", cv, lin, c("z", paste0(covs, "_c"), paste0("z:", covs, "_c")))
    # Lin with absorbed strata: centre on the complete cases, then lm_robust with fixed effects.
    cc <- d[complete.cases(d[, c("y", "z", covs, "s")]), ]
    for (v in covs) cc[[paste0(v, "_c")]] <- cc[[v]] - mean(cc[[v]])
    cterms <- paste0(covs, "_c")
    f <- as.formula(paste("y ~ z * (", paste(cterms, collapse = "+"), ")"))
    record(name, "lm_lin_fe", "HC2", cv, lm_robust(f, fixed_effects = ~s, data = cc), c("z", cterms, paste0("z:", cterms)))
  }
  if ("x2" %in% names(d) && all(d$x2 %in% c(0, 1, NA))) {
    # Subgroups by the binary x2: the effect within each, and the interaction test on all rows.
    for (level in c(0, 1)) {
      part <- d[which(d$x2 == level), ]
      record(name, paste0("subgroup_x2_", level), "HC2", "x1", lm_robust(y ~ z + x1, fixed_effects = ~s, data = part), "z")
    }
    record(name, "subgroup_interaction", "HC2", "x1", lm_robust(y ~ z * x2 + x1, fixed_effects = ~s, data = d), "z:x2")
  }
  if ("d" %in% names(d)) {
    for (se in ses) {
      record(name, "iv_fe", se, "", iv_robust(y ~ d | z, fixed_effects = ~s, data = d, se_type = se), "d")
      cv <- paste(covs, collapse = "+")
      f <- as.formula(paste("y ~ d +", cv, "| z +", cv))
      record(name, "iv_fe", se, cv, iv_robust(f, fixed_effects = ~s, data = d, se_type = se), c("d", covs))
      record(name, "iv", se, cv, iv_robust(f, data = d, se_type = se), c("d", covs))
    }
  }
}
expected <- do.call(rbind, rows)
write.csv(format(expected, digits = 17), "expected_estimates.csv", row.names = FALSE, quote = FALSE)
cat("wrote", nrow(expected), "expected estimates\n")

# MDE in SD units (pwr's exact noncentral t) by total N, treated share P, alpha and power.
power_rows <- list()
for (N in c(40, 100, 1000, 5000)) for (P in c(.5, 1 / 3)) for (alpha in c(.05, .01)) for (pw in c(.8, .9)) {
  n1 <- N * P; n0 <- N - n1
  mde <- pwr.t2n.test(n1 = n1, n2 = n0, sig.level = alpha, power = pw)$d
  power_rows[[length(power_rows) + 1]] <- data.frame(n = N, treated_share = P, alpha = alpha, power = pw, mde_sd = mde)
}
write.csv(format(do.call(rbind, power_rows), digits = 17), "expected_power.csv", row.names = FALSE, quote = FALSE)
# Required total N (equal arms) for a target MDE: 2 × pwr's n per arm.
n_rows <- list()
for (mde in c(.1, .2, .5)) n_rows[[length(n_rows) + 1]] <- data.frame(mde_sd = mde, n_total = 2 * pwr.t.test(d = mde, power = .8)$n)
write.csv(format(do.call(rbind, n_rows), digits = 17), "expected_required_n.csv", row.names = FALSE, quote = FALSE)

# Multiple-testing adjustments (R p.adjust).
p <- c(0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.5, 0.9)
adj <- data.frame(p = p, bonferroni = p.adjust(p, "bonferroni"), holm = p.adjust(p, "holm"), bh = p.adjust(p, "BH"))
write.csv(format(adj, digits = 17), "expected_adjust.csv", row.names = FALSE, quote = FALSE)
