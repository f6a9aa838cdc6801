# The evaluation report's golden numbers, from R estimatr (an independent
# implementation). Makes a synthetic trial (5 municipalities, take-up in the
# programme arm, attrition that differs by arm), writes it as evaluation.csv
# and the expected ITT (OLS, Lin, blocked difference in means) and IV effects
# as evaluation_expected.csv. Run from this folder:
#   Rscript make_evaluation_fixture.R
suppressPackageStartupMessages(library(estimatr))
set.seed(2752)
n <- 300
municipality <- sample(c(101, 265, 615, 630, 851), n, replace = TRUE)
age <- sample(18:29, n, replace = TRUE)
female <- rbinom(n, 1, 0.45)
kontanthjaelp <- rbinom(n, 1, 0.6)
aktivitetsparat <- rbinom(n, 1, 0.3)
z <- rbinom(n, 1, 0.5)
d <- ifelse(z == 1, rbinom(n, 1, 0.7), 0)
y1 <- rbinom(n, 1, plogis(-0.8 + 0.5 * d + 0.04 * (age - 23) + 0.2 * female))
y2 <- round(30 - 6 * d + 0.5 * (age - 23) - 3 * kontanthjaelp + rnorm(n, 0, 9), 1)
y1[runif(n) < ifelse(z == 1, 0.05, 0.12)] <- NA
y2[runif(n) < ifelse(z == 1, 0.04, 0.10)] <- NA
data <- data.frame(municipality, age, female, kontanthjaelp, aktivitetsparat, z, d,
                   work_6m = y1, weeks_12m = y2)
write.csv(data, "evaluation.csv", row.names = FALSE, na = "")

rows <- list()
add <- function(outcome, estimator, fit, term) {
  s <- summary(fit)$coefficients
  ci <- confint(fit)
  rows[[length(rows) + 1]] <<- data.frame(
    outcome = outcome, estimator = estimator,
    estimate = sprintf("%.17g", s[term, 1]), std_error = sprintf("%.17g", s[term, 2]),
    p_value = sprintf("%.17g", s[term, 4]), ci_lower = sprintf("%.17g", ci[term, 1]),
    ci_upper = sprintf("%.17g", ci[term, 2]), df = sprintf("%.17g", fit$df[term]))
}
for (outcome in c("work_6m", "weeks_12m")) {
  data$y <- data[[outcome]]
  complete <- data[!is.na(data$y), ]
  add(outcome, "ols", lm_robust(y ~ z + age + female + kontanthjaelp, data = complete,
                                fixed_effects = ~municipality, se_type = "HC2"), "z")
  for (x in c("age", "female", "kontanthjaelp")) complete[[paste0(x, "_c")]] <- complete[[x]] - mean(complete[[x]])
  add(outcome, "lin", lm_robust(y ~ z * (age_c + female_c + kontanthjaelp_c), data = complete,
                                fixed_effects = ~municipality, se_type = "HC2"), "z")
  add(outcome, "difference_in_means",
      difference_in_means(y ~ z, blocks = municipality, data = complete), "z")
  add(outcome, "iv", iv_robust(y ~ d + age + female + kontanthjaelp | z + age + female + kontanthjaelp,
                               data = complete, fixed_effects = ~municipality, se_type = "HC2"), "d")
}
write.csv(do.call(rbind, rows), "evaluation_expected.csv", row.names = FALSE, quote = FALSE)
writeLines(c(R.version.string, paste("estimatr", packageVersion("estimatr"))), "evaluation_versions.txt")
