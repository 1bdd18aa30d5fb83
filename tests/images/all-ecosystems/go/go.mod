module example.com/bulwark/goapp

go 1.19
