//! The small K×K algebra the estimators need: symmetric positive-definite inversion by Cholesky.

/// Inverse of a symmetric positive-definite k×k matrix (row-major), or `None` when a pivot falls
/// below 1e-10 of its original diagonal, i.e. the columns are collinear.
pub(crate) fn spd_inverse(matrix: &[f64], k: usize) -> Option<Vec<f64>> {
    // Lower-triangular Cholesky factor L with A = L L'.
    let mut l = vec![0.0; k * k];
    for j in 0..k {
        let mut diagonal = matrix[j * k + j];
        for p in 0..j {
            diagonal -= l[j * k + p] * l[j * k + p];
        }
        if !(diagonal > 1e-10 * matrix[j * k + j].abs()) || matrix[j * k + j] <= 0.0 {
            return None;
        }
        let pivot = diagonal.sqrt();
        l[j * k + j] = pivot;
        for i in j + 1..k {
            let mut value = matrix[i * k + j];
            for p in 0..j {
                value -= l[i * k + p] * l[j * k + p];
            }
            l[i * k + j] = value / pivot;
        }
    }
    // Invert L by forward substitution, then A⁻¹ = L⁻ᵀ L⁻¹.
    let mut l_inv = vec![0.0; k * k];
    for j in 0..k {
        l_inv[j * k + j] = 1.0 / l[j * k + j];
        for i in j + 1..k {
            let mut sum = 0.0;
            for p in j..i {
                sum -= l[i * k + p] * l_inv[p * k + j];
            }
            l_inv[i * k + j] = sum / l[i * k + i];
        }
    }
    let mut inverse = vec![0.0; k * k];
    for i in 0..k {
        for j in 0..=i {
            let mut sum = 0.0;
            for p in i..k {
                sum += l_inv[p * k + i] * l_inv[p * k + j];
            }
            inverse[i * k + j] = sum;
            inverse[j * k + i] = sum;
        }
    }
    Some(inverse)
}

/// a · b for k×k row-major matrices.
pub(crate) fn mat_mul(a: &[f64], b: &[f64], k: usize) -> Vec<f64> {
    let mut out = vec![0.0; k * k];
    for i in 0..k {
        for p in 0..k {
            let a_ip = a[i * k + p];
            for j in 0..k {
                out[i * k + j] += a_ip * b[p * k + j];
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_times_matrix_is_identity() {
        let a = [4.0, 1.0, 0.5, 1.0, 3.0, 0.2, 0.5, 0.2, 2.0];
        let inverse = spd_inverse(&a, 3).unwrap();
        let product = mat_mul(&a, &inverse, 3);
        for i in 0..3 {
            for j in 0..3 {
                let expected = if i == j { 1.0 } else { 0.0 };
                assert!((product[i * 3 + j] - expected).abs() < 1e-14);
            }
        }
    }

    #[test]
    fn collinear_columns_are_refused() {
        let a = [1.0, 2.0, 2.0, 4.0];
        assert!(spd_inverse(&a, 2).is_none());
    }
}
