// aes_sbox -- AES forward S-box as combinational logic.
//
// Boyar-Peralta low-depth circuit (J. Boyar, R. Peralta, "A depth-16 circuit
// for the AES S-box", IACR ePrint 2011/332): 32 AND + 83 XOR/XNOR, no table.
// Input bit x[7] is U0 (MSB), output y[7] is S0.
//
// FAULT (test only, default 0): when 1 the output for input 8'h53 has bit 0
// flipped.  It exists only so the co-simulation can prove that it detects a
// wrong S-box; never set it in a real build.
module aes_sbox #(
  parameter FAULT = 0
) (
  input  wire [7:0] x,
  output wire [7:0] y
);
  wire u0 = x[7], u1 = x[6], u2 = x[5], u3 = x[4];
  wire u4 = x[3], u5 = x[2], u6 = x[1], u7 = x[0];

  // top linear layer
  wire t1  = u0 ^ u3;   wire t2  = u0 ^ u5;   wire t3  = u0 ^ u6;
  wire t4  = u3 ^ u5;   wire t5  = u4 ^ u6;   wire t6  = t1 ^ t5;
  wire t7  = u1 ^ u2;   wire t8  = u7 ^ t6;   wire t9  = u7 ^ t7;
  wire t10 = t6 ^ t7;   wire t11 = u1 ^ u5;   wire t12 = u2 ^ u5;
  wire t13 = t3 ^ t4;   wire t14 = t6 ^ t11;  wire t15 = t5 ^ t11;
  wire t16 = t5 ^ t12;  wire t17 = t9 ^ t16;  wire t18 = u3 ^ u7;
  wire t19 = t7 ^ t18;  wire t20 = t1 ^ t19;  wire t21 = u6 ^ u7;
  wire t22 = t7 ^ t21;  wire t23 = t2 ^ t22;  wire t24 = t2 ^ t10;
  wire t25 = t20 ^ t17; wire t26 = t3 ^ t16;  wire t27 = t1 ^ t12;
  wire d   = u7;

  // shared non-linear middle (GF(2^4) inversion)
  wire m1  = t13 & t6;  wire m2  = t23 & t8;  wire m3  = t14 ^ m1;
  wire m4  = t19 & d;   wire m5  = m4 ^ m1;   wire m6  = t3 & t16;
  wire m7  = t22 & t9;  wire m8  = t26 ^ m6;  wire m9  = t20 & t17;
  wire m10 = m9 ^ m6;   wire m11 = t1 & t15;  wire m12 = t4 & t27;
  wire m13 = m12 ^ m11; wire m14 = t2 & t10;  wire m15 = m14 ^ m11;
  wire m16 = m3 ^ m2;   wire m17 = m5 ^ t24;  wire m18 = m8 ^ m7;
  wire m19 = m10 ^ m15; wire m20 = m16 ^ m13; wire m21 = m17 ^ m15;
  wire m22 = m18 ^ m13; wire m23 = m19 ^ t25; wire m24 = m22 ^ m23;
  wire m25 = m22 & m20; wire m26 = m21 ^ m25; wire m27 = m20 ^ m21;
  wire m28 = m23 ^ m25; wire m29 = m28 & m27; wire m30 = m26 & m24;
  wire m31 = m20 & m23; wire m32 = m27 & m31; wire m33 = m27 ^ m25;
  wire m34 = m21 & m22; wire m35 = m24 & m34; wire m36 = m24 ^ m25;
  wire m37 = m21 ^ m29; wire m38 = m32 ^ m33; wire m39 = m23 ^ m30;
  wire m40 = m35 ^ m36; wire m41 = m38 ^ m40; wire m42 = m37 ^ m39;
  wire m43 = m37 ^ m38; wire m44 = m39 ^ m40; wire m45 = m42 ^ m41;
  wire m46 = m44 & t6;  wire m47 = m40 & t8;  wire m48 = m39 & d;
  wire m49 = m43 & t16; wire m50 = m38 & t9;  wire m51 = m37 & t17;
  wire m52 = m42 & t15; wire m53 = m45 & t27; wire m54 = m41 & t10;
  wire m55 = m44 & t13; wire m56 = m40 & t23; wire m57 = m39 & t19;
  wire m58 = m43 & t3;  wire m59 = m38 & t22; wire m60 = m37 & t20;
  wire m61 = m42 & t1;  wire m62 = m45 & t4;  wire m63 = m41 & t2;

  // bottom linear layer (includes the affine transform)
  wire l0  = m61 ^ m62; wire l1  = m50 ^ m56; wire l2  = m46 ^ m48;
  wire l3  = m47 ^ m55; wire l4  = m54 ^ m58; wire l5  = m49 ^ m61;
  wire l6  = m62 ^ l5;  wire l7  = m46 ^ l3;  wire l8  = m51 ^ m59;
  wire l9  = m52 ^ m53; wire l10 = m53 ^ l4;  wire l11 = m60 ^ l2;
  wire l12 = m48 ^ m51; wire l13 = m50 ^ l0;  wire l14 = m52 ^ m61;
  wire l15 = m55 ^ l1;  wire l16 = m56 ^ l0;  wire l17 = m57 ^ l1;
  wire l18 = m58 ^ l8;  wire l19 = m63 ^ l4;  wire l20 = l0 ^ l1;
  wire l21 = l1 ^ l7;   wire l22 = l3 ^ l12;  wire l23 = l18 ^ l2;
  wire l24 = l15 ^ l9;  wire l25 = l6 ^ l10;  wire l26 = l7 ^ l9;
  wire l27 = l8 ^ l10;  wire l28 = l11 ^ l14; wire l29 = l11 ^ l17;

  wire [7:0] s;
  assign s[7] = l6 ^ l24;
  assign s[6] = ~(l16 ^ l26);
  assign s[5] = ~(l19 ^ l28);
  assign s[4] = l6 ^ l21;
  assign s[3] = l20 ^ l22;
  assign s[2] = l25 ^ l29;
  assign s[1] = ~(l13 ^ l27);
  assign s[0] = ~(l6 ^ l23);

  generate
    if (FAULT != 0) begin : g_fault
      assign y = s ^ {7'd0, (x == 8'h53)};
    end else begin : g_nofault
      assign y = s;
    end
  endgenerate
endmodule
